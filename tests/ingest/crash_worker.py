"""Loads a landing folder file by file, announcing each file; the crash test kills it mid-load."""

import sys
from pathlib import Path

from pipelines.ingest import connect
from pipelines.ingest.landing import landing_files
from pipelines.ingest.loader import load_file
from pipelines.ingest.sources import SOURCES
from pipelines.settings import DataDir

data_dir = DataDir(Path(sys.argv[1]))
con = connect(data_dir)
for source in SOURCES:
    for path, name in landing_files(data_dir.landing, source):
        print("start", name, flush=True)
        load_file(con, source, path, name, "crashed-run")
        print("done", name, flush=True)

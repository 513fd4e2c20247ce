"""Reading the published analytics.duckdb: one connection sees one version of the file.

The pipeline publishes by renaming a new file over the old one. A connection that has the file open keeps reading
the version it opened (the rename does not touch an open file), so every query on it agrees with the others.
"""

from __future__ import annotations

import duckdb


def open_published(path: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the file at `path` attached read-only as `published`, and in use.

    Attached, not opened with `duckdb.connect(path)`: DuckDB hands a second connection to a path the database it
    already holds open for that path, and after the pipeline's rename that is the replaced file. A cursor of the
    connection starts in the in-memory catalog again and needs `use published` itself."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach ? as published (read_only)", [path])
        con.execute("use published")
    except BaseException:
        con.close()
        raise
    return con

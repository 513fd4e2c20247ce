"""The Dagster code location: each domain module contributes its definitions; this root only merges."""

import dagster as dg

from pipelines import resources
from pipelines.defs import automation, ingest, publish, transform

defs = dg.Definitions.merge(ingest.defs, transform.defs, publish.defs, automation.defs, resources.defs)

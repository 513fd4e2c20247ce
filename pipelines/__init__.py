"""The alumni warehouse: Dagster code location (ingest, transform, publish) and the `alumni` command line."""

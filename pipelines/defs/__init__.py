"""Dagster definitions by domain; `pipelines.definitions` merges them."""

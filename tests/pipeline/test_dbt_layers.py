"""Layers one way (dbt's structure guide): marts read intermediate and staging models, never the reverse.

Read from dbt's own manifest (every ref as dbt resolved it, macros included), so a ref hidden in a macro or a
Jinja loop counts too. A mart is a model under models/marts (named fct_, dim_ or meta_)."""

from __future__ import annotations

import json

import pytest

from pipelines.dbt_prepare import MANIFEST, ensure_manifest

LOWER_LAYERS = ("staging", "intermediate")


@pytest.fixture(scope="module")
def models() -> dict[str, dict]:
    ensure_manifest()
    nodes = json.loads(MANIFEST.read_text(encoding="utf-8"))["nodes"]
    return {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"}


def _layer(node: dict) -> str:
    return node["original_file_path"].split("/")[1]  # models/<layer>/...


def test_every_model_sits_in_a_known_layer(models):
    assert {_layer(node) for node in models.values()} == {"staging", "intermediate", "marts"}


def test_no_staging_or_intermediate_model_reads_a_mart(models):
    upward = sorted(
        f"{node['name']} -> {models[parent]['name']}"
        for node in models.values()
        if _layer(node) in LOWER_LAYERS
        for parent in node["depends_on"]["nodes"]
        if parent in models and _layer(models[parent]) == "marts"
    )
    assert upward == [], "models below the marts must not read a mart: " + ", ".join(upward)


def test_no_staging_model_reads_an_intermediate_model(models):
    upward = sorted(
        f"{node['name']} -> {models[parent]['name']}"
        for node in models.values()
        if _layer(node) == "staging"
        for parent in node["depends_on"]["nodes"]
        if parent in models and _layer(models[parent]) == "intermediate"
    )
    assert upward == []


def test_marts_are_named_as_marts(models):
    misnamed = sorted(
        node["name"]
        for node in models.values()
        if _layer(node) == "marts" and not node["name"].startswith(("fct_", "dim_", "meta_"))
    )
    assert misnamed == []

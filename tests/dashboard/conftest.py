"""Fixtures of the dashboard tests: a real headless Chromium (Debian's; playwright cannot download one here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dashboard.headless import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is missing: `make test` installs Debian's chromium (apt-get install chromium)"
            )
        pytest.skip("chromium is not installed (outside CI only)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()

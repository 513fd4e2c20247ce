# The verbs of the project. `make run` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
PORT ?= 8501
export ALUMNI_DATA_DIR := $(abspath $(DATA_DIR))

.PHONY: help install run pipeline generate dashboard dagster test test-fast lint format bench docs clean browser

help:
	@echo "make run        set up, generate demo data if none, run the pipeline, serve the dashboard"
	@echo "make test       set up (incl. chromium for browser tests), lint, run every test"
	@echo "make pipeline   run the pipeline on $(DATA_DIR)      make dashboard   serve the dashboard"
	@echo "make dagster    Dagster UI on the same definitions  make docs        dbt docs site"
	@echo "make bench      benchmarks -> docs/benchmarks.md, .png   make lint / format / clean"

# The venv is rebuilt when pyproject.toml changes; the stamp file records a finished install.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

generate: install
	$(BIN)/alumni generate --data-dir $(DATA_DIR)

pipeline: install
	$(BIN)/alumni pipeline --data-dir $(DATA_DIR)

# Exit code 2 of `alumni pipeline` means "published, but a file was rejected": still show the dashboard.
run: install
	@if [ -z "$$(ls -A $(DATA_DIR)/landing 2>/dev/null)" ]; then $(BIN)/alumni generate --data-dir $(DATA_DIR); fi
	$(BIN)/alumni pipeline --data-dir $(DATA_DIR); rc=$$?; if [ $$rc -ne 0 ] && [ $$rc -ne 2 ]; then exit $$rc; fi
	$(BIN)/alumni dashboard --data-dir $(DATA_DIR) --port $(PORT)

dashboard: install
	$(BIN)/alumni dashboard --data-dir $(DATA_DIR) --port $(PORT)

dagster: install
	$(BIN)/python -m pipelines.dev_ui --data-dir $(DATA_DIR)

# Browser tests use Debian's chromium: playwright cannot download its own browser here.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || exit 1; \
	  else \
	    echo "chromium is missing: install it (sudo apt-get install chromium) to run the browser tests"; \
	    if [ -n "$$CI" ]; then exit 1; fi; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff format --check pipelines dashboard tests scripts
	$(BIN)/ruff check pipelines dashboard tests scripts
	$(BIN)/python -m pipelines.dbt_prepare
	cd dbt_project && ../$(BIN)/sqlfluff lint models --processes 2

format: install
	$(BIN)/ruff format pipelines dashboard tests scripts
	$(BIN)/ruff check --fix pipelines dashboard tests scripts

# Two test processes (pytest-xdist), whatever the machine: CI has two cores, and each pipeline run of a test
# may use up to ALUMNI_DUCKDB_MEMORY_LIMIT. `make test TEST_PROCESSES=0` runs them in one process.
TEST_PROCESSES ?= 2
PYTEST = $(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist worksteal

test: install browser lint
	$(PYTEST)

test-fast: install
	$(PYTEST) -m "not slow"

bench: install browser
	$(BIN)/python scripts/bench.py --out docs/benchmarks.md $(BENCH_ARGS)

docs: install
	$(BIN)/python -m pipelines.dbt_prepare --docs
	@echo "dbt docs: dbt_project/target/index.html (serve: cd dbt_project && ../$(BIN)/dbt docs serve)"

clean:
	rm -rf dbt_project/target dbt_project/logs dbt_project/dbt_packages dbt_project/.user.yml logs
	rm -rf .pytest_cache .ruff_cache tests/artifacts

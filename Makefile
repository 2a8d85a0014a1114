# huntRED lakehouse: `make demo` to see it run, `make test` to check it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
SCALE ?= 1
SEED ?= 42
DAGSTER_PORT ?= 3000
MLFLOW_PORT ?= 5000

# One variable moves the whole lakehouse; everything else derives from it.
export HUNTRED_WAREHOUSE_DIR ?= $(CURDIR)/warehouse
export DAGSTER_HOME := $(CURDIR)
export HUNTRED_DAGSTER_STORAGE := $(HUNTRED_WAREHOUSE_DIR)/dagster
# No telemetry from any component, and no model downloads.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export MLFLOW_DISABLE_TELEMETRY := true
export HF_HUB_OFFLINE := 1
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

MANIFEST := transforms/target/manifest.json
LOCK := requirements.lock
DBT_SOURCES := $(shell find transforms -path transforms/target -prune -o \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print 2>/dev/null)

.PHONY: help demo test dagster mlflow bench venv lock prepare data pipeline models users serve browser pdftools clean screenshots mutation

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# the lock pins every package (the resolution CI tested); pyproject.toml says what we need, the lock which versions
$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel setuptools
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[dev,spark]'
	@touch $@

venv: $(VENV)/.installed  ## Create/update the virtualenv

LOCK_VENV := $(or $(TMPDIR),/tmp)/huntred-lock-venv
lock:  ## Re-resolve every dependency of pyproject.toml from scratch into requirements.lock (commit it; make test checks it)
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip wheel setuptools
	$(LOCK_VENV)/bin/pip install --quiet '.[dev,spark]'
	{ sed -n '/^#/p' $(LOCK); $(LOCK_VENV)/bin/pip freeze --exclude-editable | grep -vi '^huntred-lakehouse=='; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf $(LOCK_VENV)

# parsed for both engines: the Spark target must keep parsing too (Dagster loads DuckDB's manifest; the models are the same)
$(MANIFEST): $(VENV)/.installed $(DBT_SOURCES)
	cd transforms && HUNTRED_ENGINE=spark $(BIN)/dbt parse --project-dir . --profiles-dir . --target-path target-spark --quiet
	cd transforms && HUNTRED_ENGINE=duckdb $(BIN)/dbt parse --project-dir . --profiles-dir . --quiet
	@touch $@

prepare: $(MANIFEST)  ## Prepare the dbt manifest Dagster loads

# re-run when the CLI changes, so a secret added later reaches an existing .env (init keeps the ones there)
.env: cli/main.py | $(VENV)/.installed
	$(BIN)/huntred init
	@touch $@

data: $(VENV)/.installed .env  ## (Re)generate the sample data (SCALE=1 SEED=42)
	$(BIN)/huntred generate --scale $(SCALE) --seed $(SEED)

pipeline: prepare .env  ## Materialize every asset
	@test -f $(HUNTRED_WAREHOUSE_DIR)/landing/generator_manifest.json || $(MAKE) --no-print-directory data
	$(BIN)/huntred run

models: prepare .env  ## Train every model (MLflow), promote those that pass the gate (champion, baseline, adverse impact), score, publish
	$(BIN)/huntred ml train all

users: $(VENV)/.installed  ## Create the demo dashboard users and API keys (printed once) unless they exist
	$(BIN)/huntred users init
	$(BIN)/huntred keys init

serve: prepare .env  ## Serve the dashboard (:8501) and API (:8000) until Ctrl-C
	$(BIN)/huntred serve

demo: pipeline models users serve  ## Set up, generate sample data, run the pipeline, train the models, create users, serve dashboard + API

dagster: prepare .env  ## Open the Dagster UI on the same code and warehouse (:3000)
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p $(DAGSTER_PORT)

mlflow: $(VENV)/.installed  ## Open the MLflow UI on the models' tracking store under the warehouse (:5000)
	$(BIN)/huntred ml ui --host 127.0.0.1 --port $(MLFLOW_PORT)

browser:  ## Install Debian's Chromium for the browser tests when missing
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

pdftools:  ## Install Debian's poppler-utils (pdftoppm: the report tests render PDF pages to pictures) when missing
	@command -v pdftoppm >/dev/null || { apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null; }

test: prepare browser pdftools  ## Create/update the virtualenv, check the import layers, run the whole suite
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q

# Not part of `make test`: each mutant re-runs its tests (minutes). MUTATION_ARGS="--only ID" runs a subset.
mutation: prepare  ## Re-inject the curated bugs one at a time and check the tests catch each (slow)
	$(BIN)/python -m tests.mutation.run $(MUTATION_ARGS)

screenshots: prepare browser  ## Refresh the README's screenshots (the browser test, saving into docs/screenshots)
	HUNTRED_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tests/apps/test_browser.py tests/ml/test_models_browser.py

bench: prepare .env  ## Measure generation, pipeline, re-run, ingest throughput, memory, API latency under load
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/run.py

clean:  ## Delete everything generated under the warehouse
	rm -rf $(HUNTRED_WAREHOUSE_DIR)/{landing,serving,dagster,logs,dbt,runs,mlflow,audit,lakehouse.duckdb,lakehouse.duckdb.wal,.writer.lock,users.json,api_keys.json} transforms/target

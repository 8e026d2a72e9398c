# Territorial Radar — `make run` (fresh machine -> demo at http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: help run test lint format stop db system-run system-test system-bench bench messages

help:
	@echo "make run    install what is missing, start the local PostGIS, load the demo, serve :$(PORT) and run the task worker"
	@echo "make test   the same set-up, then the whole test suite"
	@echo "make lint   ruff check and format check, and the import layers (lint-imports)"
	@echo "make bench  benchmarks (long)"
	@echo "make stop   stop the local PostGIS cluster"

system-run:
	@scripts/system-packages.sh run

system-test:
	@scripts/system-packages.sh test

system-bench:
	@scripts/system-packages.sh bench

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || "$$(scripts/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	@touch $@

# The local cluster only when no external database is configured.
db: $(VENV)/.installed
	@if [ -z "$$DATABASE_URL" ]; then scripts/localpg.sh start; fi
	@$(MANAGE) migrate --no-input -v 0
	@$(MANAGE) createcachetable

run: system-run $(VENV)/.installed db
	@$(MANAGE) load_demo
	@scripts/serve.sh $(PORT)

test: system-test $(VENV)/.installed node_modules/.installed
	$(VENV)/bin/lint-imports --no-cache
	@if [ -z "$$DATABASE_URL" ]; then scripts/localpg.sh start; fi
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed
	$(MANAGE) makemessages -l fr -l en --no-obsolete -i '.venv/*' -i 'node_modules/*' -i 'staticfiles/*'
	$(MANAGE) makemessages -d djangojs -l fr -l en --no-obsolete -i '.venv/*' -i 'node_modules/*' -i 'staticfiles/*' -i 'static/vendor/*'
	$(MANAGE) compilemessages -i .venv

bench: system-bench $(VENV)/.installed node_modules/.installed db
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done
	$(PY) -m pytest -q --runslow -m slow

stop:
	@scripts/localpg.sh stop

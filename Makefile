# Two commands do everything on a fresh Debian machine with Python:
#   make run    set up, migrate, load demo data, serve on http://127.0.0.1:8000 (HOST/PORT override;
#               SQLite by default, DATABASE_URL for PostgreSQL; .env is honoured)
#   make test   set up, then the whole suite on SQLite and on PostgreSQL, browser tests included
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export FLASK_APP := marketplace
# Browser tests use Debian's Chromium; Playwright must never download its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test test-sqlite test-postgres setup system-deps runtime-deps migrate seed lint bench mutate clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" -eq 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); \
	  else echo "python3 -m venv failed: install python3-venv" >&2; exit 1; fi; }
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	@touch $@

migrate: setup
	$(VENV)/bin/flask db upgrade

seed: migrate
	$(VENV)/bin/flask seed-demo

run: runtime-deps seed
	$(PY) -m marketplace.serve

# Debian packages: PostgreSQL, Chromium, WeasyPrint's libraries and fonts (.ci/system-deps.sh);
# `make run` needs only the last.
system-deps:
	@bash .ci/system-deps.sh

runtime-deps:
	@bash .ci/system-deps.sh --runtime

test: setup system-deps
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: setup
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest -q -n 2 --dist loadgroup

test-postgres: setup
	TEST_DATABASE_URL="$$(bash .ci/postgres.sh start)" HYPOTHESIS_PROFILE=ci $(PY) -m pytest -q -n 2 --dist loadgroup

# Ruff (lint and format) and the import contracts in pyproject.toml ([tool.importlinter]).
lint: setup
	$(VENV)/bin/ruff check marketplace tests bench migrations wsgi.py .ci
	$(VENV)/bin/ruff format --check marketplace tests bench migrations wsgi.py .ci
	$(VENV)/bin/lint-imports

bench: setup
	$(PY) bench/run.py

# Mutation testing of the pure rules (money, time, every */rules.py) against their fast tests
# (about 15 minutes on 2 cores): mutmut, then hand-made mutants of the tables and @property rules
# mutmut leaves alone. Settings in pyproject.toml [tool.mutmut]; scores and equivalent mutants in
# docs/mutation.md.
# MUTATE_JOBS parallel mutants (default 2: the machine is shared).
MUTATE_JOBS ?= 2
mutate: setup
	rm -rf mutants
	HYPOTHESIS_PROFILE=mutation $(VENV)/bin/mutmut run --max-children $(MUTATE_JOBS)
	$(PY) .ci/mutation_report.py
	$(PY) .ci/table_mutants.py --jobs $(MUTATE_JOBS)

clean:
	rm -rf $(VENV) instance/peken.db mutants

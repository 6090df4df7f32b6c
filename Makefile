# carenav — the two set-up commands are `make demo` (run the product) and `make test` (run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-sqlite test-postgres lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@ $(VENV)/.base

install: $(VENV)/.base

demo: $(VENV)/.base  ## SQLite, demo staff and population, server on http://127.0.0.1:8000
	$(BIN)/carenav demo

lint: $(VENV)/.test
	$(BIN)/ruff check carenav tests benchmarks tools
	$(BIN)/ruff format --check carenav tests benchmarks tools
	$(BIN)/mypy carenav
	$(BIN)/python -m django makemigrations --check --dry-run --settings=carenav.settings

test-sqlite: $(VENV)/.test
	$(BIN)/pytest -q

test-postgres: $(VENV)/.test
	$(BIN)/python tools/with_postgres.py -- $(BIN)/pytest -q -m "not browser"

test: lint test-sqlite test-postgres  ## the whole suite: linters, SQLite, PostgreSQL

clean:
	rm -rf $(VENV) var build *.egg-info

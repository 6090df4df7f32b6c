# carenav — the two set-up commands are `make demo` (run the product) and `make test` (run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-sqlite test-postgres lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## set up SQLite, demo staff and population, serve on http://127.0.0.1:8000
	$(BIN)/carenav demo

lint: $(STAMP)
	$(BIN)/ruff check carenav tests benchmarks tools
	$(BIN)/ruff format --check carenav tests benchmarks tools
	$(BIN)/mypy carenav
	$(BIN)/python -m django makemigrations --check --dry-run --settings=carenav.settings

test-sqlite: $(STAMP)
	$(BIN)/pytest -q

test-postgres: $(STAMP)
	$(BIN)/python tools/with_postgres.py -- $(BIN)/pytest -q -m "not browser"

test: lint test-sqlite test-postgres  ## the whole suite: linters, SQLite, PostgreSQL

clean:
	rm -rf $(VENV) var build *.egg-info

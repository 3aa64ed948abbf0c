# The README's commands. `make run` and `make test` each set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test browser site serve-site bench security lint typecheck clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m compileall -q portal sitebuilder build.py
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate, seed the small demo into an empty database, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/flask --app portal db upgrade
	$(BIN)/flask --app portal steps sync
	$(BIN)/flask --app portal demo seed --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/flask --app portal run --host $(HOST) --port $(PORT)

## test: install, make sure Chromium is there for the browser tests, run the whole suite
test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## browser: Debian packages the tests need (Chromium for Playwright, Pango and fonts for PDFs)
browser:
	@bash scripts/ensure-system-packages

## site: build the advice website and PDF guides from content/ into dist/
site: install
	$(BIN)/python build.py

## serve-site: build, serve dist/site on http://127.0.0.1:8000 and rebuild on every change
serve-site: install
	$(BIN)/python build.py serve

## bench: the build benchmark (300 synthetic guides, MkDocs 1.6 as reference); takes several minutes
bench: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m bench.bench_build

## security: bandit over the code that ships; medium and high findings fail (each one kept is explained in place)
security: install
	$(BIN)/bandit -q -c pyproject.toml -r portal sitebuilder build.py -ll

## lint: ruff over everything in the repository, and its formatting (settings in pyproject.toml)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy over portal/, sitebuilder/ and build.py (its settings are in pyproject.toml)
typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts dist

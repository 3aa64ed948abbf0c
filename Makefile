# The README's commands. `make run` and `make test` each set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate, seed the small demo into an empty database, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/flask --app portal db upgrade
	$(BIN)/flask --app portal demo seed --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/flask --app portal run --host $(HOST) --port $(PORT)

## test: install, make sure Chromium is there for the browser tests, run the whole suite
test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## browser: Debian's Chromium for the Playwright tests (never a downloaded browser build)
browser:
	@bash scripts/ensure-chromium

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

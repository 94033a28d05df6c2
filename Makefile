# Two commands: `make serve` and `make test`. Everything else is a step they depend on.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
KG_STORE ?= var/store
BIN := $(VENV)/bin
export HOST PORT KG_STORE

.PHONY: serve test build bench install install-test clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

build: install
	$(BIN)/kg build --if-missing --store "$(KG_STORE)"

serve: build
	$(BIN)/kg serve --store "$(KG_STORE)" --host "$(HOST)" --port "$(PORT)"

test: install-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache

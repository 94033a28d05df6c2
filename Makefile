# Two commands: `make serve` and `make test`. Everything else is a step they depend on.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
KG_STORE ?= var/store
BIN := $(VENV)/bin
export HOST PORT KG_STORE

VENDOR := server/static/vendor
YASGUI := $(VENDOR)/yasgui.min.js

.PHONY: serve test build bench install install-test assets clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The query page's editor (YASGUI) and the API docs (Swagger UI) come from npm, when node is
# here; without them the pages fall back to a plain form and a link to the OpenAPI schema. Nothing third-party is committed: web/ holds only the manifest.
$(YASGUI): web/package.json web/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix web --no-audit --no-fund --loglevel=error && \
	  mkdir -p $(VENDOR) && \
	  cp web/node_modules/@zazuko/yasgui/build/yasgui.min.js web/node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/ && \
	  cp web/node_modules/swagger-ui-dist/swagger-ui-bundle.js web/node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/; \
	else echo "npm not found: the query page will be the plain form"; fi

assets: $(YASGUI)

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

build: install
	$(BIN)/kg build --if-missing --store "$(KG_STORE)"

serve: build assets
	$(BIN)/kg serve --store "$(KG_STORE)" --host "$(HOST)" --port "$(PORT)"

test: install-test assets
	$(BIN)/python -m pytest

# Not a test: loads 1,300 generated MedlinePlus pages (pages/s), then starts kg serve, oxigraph
# serve and rdflib-endpoint on loopback and prints a table per dataset.
# BENCH_ARGS="--size default --seconds 10" for a short run.
bench: $(VENV)/.installed-bench assets
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache web/node_modules $(VENDOR)

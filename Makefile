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

# OS packages the tests use: Debian's chromium (browser tests), Virtuoso (an engine behind us), and
# curl and jq (the manual's shell examples, run by tests/test_manual.py).
DEBIAN_PACKAGES := chromium chromium-driver virtuoso-opensource curl jq

.PHONY: serve test stress build bench docs install install-test assets system clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,docs]'
	touch $@

$(VENV)/.installed-stress: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,stress]'
	touch $@

# Installs the missing Debian packages when it can (as root, or with sudo that needs no
# password); otherwise says so in one line, which is a failure in CI (CI=true).
system:
	@missing=""; for package in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else echo "make: cannot install Debian packages:$$missing (run as root or with sudo); their tests will be skipped"; \
	  case "$${CI:-}" in true|1|yes) exit 1;; esac; exit 0; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "make: no apt-get to install$$missing"; case "$${CI:-}" in true|1|yes) exit 1;; esac; exit 0; }; \
	echo "installing Debian packages:$$missing"; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null

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

# The manual (docs/, mkdocs.yml) into site/: offline (no fonts or scripts from elsewhere) and
# --strict, so a broken link or a page left out of the navigation fails. `make test` builds it
# too (tests/test_manual.py), with every example of the README and the manual.
docs: $(VENV)/.installed-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

build: install
	$(BIN)/kg build --if-missing --store "$(KG_STORE)"

serve: build assets
	$(BIN)/kg serve --store "$(KG_STORE)" --host "$(HOST)" --port "$(PORT)"

test: system install-test assets
	$(BIN)/python -m pytest

# The reliability suite (not part of `make test`): fuzzing, a soak, kill -9 during writes and
# differential answers against a real server on loopback; prints a table, fails on any breach.
stress: $(VENV)/.installed-stress
	$(BIN)/python -m stress $(STRESS_ARGS)

# Not a test: the MedlinePlus loader (pages/s; records/s and peak memory at 500 and 5,000 records),
# then our server (with and without the result cache, and in front of Oxigraph's server),
# oxigraph serve (on disk and in memory) and rdflib-endpoint on loopback: a table per dataset
# and the goals table. BENCH_ARGS="--size curated --seconds 10" for a short run. Then, on the
# store `make build` made (the full default graph): the search index (build, update, /api/search
# latency), the dumps (time and size per graph, gzip levels), kg publish to oxigraph serve,
# hand-written queries against oxigraph serve, and the first touch of every user-facing route
# (the last two into docs/benchmarks.md).
bench: $(VENV)/.installed-bench assets build
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	$(BIN)/python -m bench.search --store "$(KG_STORE)"
	$(BIN)/python -m bench.dumps --store "$(KG_STORE)"
	$(BIN)/python -m bench.publish --store "$(KG_STORE)"
	$(BIN)/python -m bench.adhoc --store "$(KG_STORE)" --readme
	$(BIN)/python -m bench.first_touch --store "$(KG_STORE)" --readme

clean:
	rm -rf $(VENV) var .pytest_cache web/node_modules $(VENDOR) site

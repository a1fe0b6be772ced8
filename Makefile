# litgraph: `make demo` builds the demo database offline and serves it;
# `make test` runs every test offline.  Each installs what it needs first: the
# demo only litgraph's own dependencies, the tests also the test tools.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# what the demo needs only (no test tools); STAMP adds the test extra
DEMO_STAMP := $(VENV)/.installed-demo
DB     ?= db/litgraph.db
PORT   ?= 8001

.PHONY: install install-demo demo build test browser java bench docs clean

$(DEMO_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	touch $(DEMO_STAMP)

$(STAMP): $(DEMO_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,spark]'
	touch $(STAMP)

# Everything (the demo, the tests, the benchmarks).
install: $(STAMP)

# The demo only: litgraph and what it runs on, without pytest, hypothesis and playwright.
install-demo: $(DEMO_STAMP)

build: install-demo
	$(BIN)/litgraph build --offline --db $(DB)

demo: build
	$(BIN)/litgraph serve --db $(DB) --port $(PORT)

# Headless Chromium for the browser tests, from Debian's packages.
browser:
	@bash scripts/ensure-chromium.sh

# Debian's Java runtime for the Spark graph engine's tests.
java:
	@bash scripts/ensure-java.sh

# Two workers (pytest-xdist): each builds the demo once (tests/demo_project.py); the modules
# with one costly setup (Spark, the browser) run whole on one worker (tests/conftest.py).
# The fifteen slowest steps are listed at the end, so a slow run says where its time went.
test: install browser java
	$(BIN)/python -m pytest -n 2 --durations=15

# Regenerate the README's command reference from --help (tests/test_docs.py checks it).
docs: install
	$(BIN)/cog -r README.md

bench: install
	$(BIN)/python bench/resolve.py --n 5000
	$(BIN)/python bench/graph.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/identity.py

clean:
	rm -rf $(VENV) db/*.db db/*.sqlite db/*.lock test-output .pytest_cache .hypothesis build *.egg-info

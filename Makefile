# litgraph: `make demo` builds the demo database offline and serves it;
# `make test` runs every test offline.  Both install what they need first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= db/litgraph.db
PORT   ?= 8001

.PHONY: install demo build test browser bench docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/litgraph build --offline --db $(DB)

demo: build
	$(BIN)/litgraph serve --db $(DB) --port $(PORT)

# Headless Chromium for the browser tests, from Debian's packages.
browser:
	@bash scripts/ensure-chromium.sh

# Two workers (pytest-xdist): each builds the demo once (tests/demo_project.py).
test: install browser
	$(BIN)/python -m pytest -n 2

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

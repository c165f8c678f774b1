# Two commands do all setup on a fresh machine with Python 3.11:
#   make book   - create .venv, install the pinned dependencies, build the HTML book into _build/html
#   make test   - the same setup, then the whole test suite (CI runs exactly this)
# and one more for speed measurements:
#   make bench  - benchmark nnlib against PyTorch on the CPU

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup book test bench browser clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

book: setup
	$(BIN)/jupyter-book build . -W -n --keep-going --all

# Debian's headless Chromium for the browser test of the built book.
browser:
	@command -v chromium > /dev/null || { apt-get update -qq && apt-get install -y -qq chromium > /dev/null; }

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/bench_training.py

clean:
	rm -rf _build $(VENV)

# Two commands for a new user on a fresh machine (Python 3.11 and g++ present):
#   make run    install everything into .venv and run the main job on the built-in default config
#   make test   install everything into .venv and run the test suite (what CI runs)
# Everything is installed by these targets; nothing needs installing by hand.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= runs/default

.PHONY: run test lint install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (fpgaflow's host side needs Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[host,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/fpgaflow run --out $(OUT)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check fpgaflow board tests bench
	$(VENV)/bin/mypy fpgaflow board/fpgaflow_board

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

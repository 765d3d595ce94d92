# Two commands for a new user on a fresh machine (Python 3.11 and g++ present):
#   make run    install everything into .venv and run the main job on the built-in default config (the flagship)
#   make quick  the same with the small 32 x 32 preset (fpgaflow run quick) -> runs/quick
#   make test   install everything into .venv and run the test suite (what CI runs; installs Debian's chromium
#               for the report's browser test when apt-get can)
#   make test-fast   the suite without the tests marked slow (pytest -m "not slow")
#   make readme      regenerate the README's figures of the default run from a fresh run (bench/readme_figures.py)
#   make tasks-doc   docs/tasks.md's measured tables: every sub-benchmark not yet measured, then the tables
#                    (bench/tasks_doc.py; TASKS_DOC_FLAGS=--fresh reruns them all)
# Everything is installed by these targets; nothing needs installing by hand.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= runs/default

.PHONY: run test test-fast lint install clean board-env quick readme tasks-doc

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (fpgaflow's host side needs Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[host,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/fpgaflow run --out $(OUT)

quick: $(STAMP)
	$(VENV)/bin/fpgaflow run quick --out runs/quick

# The README's and docs' figures of the default run, from a fresh run and fit (bench/readme_figures.py).
README_RUN ?= runs/readme
readme: $(STAMP)
	rm -rf $(README_RUN) $(README_RUN)-fit  # fresh: no earlier training checkpoint resumed, the flow time measured
	$(VENV)/bin/fpgaflow run --out $(README_RUN) --from data
	$(VENV)/bin/fpgaflow fit $(README_RUN) --out $(README_RUN)-fit --min-maps-per-s 6000  # the flagship keeps its one-pixel-per-clock rate
	$(PY) bench/readme_figures.py $(README_RUN) --fit $(README_RUN)-fit --write

# docs/tasks.md's tables (baselines, ceiling, deployed models of the task presets) from their sub-benchmarks.
TASKS_DOC_FLAGS ?=
tasks-doc: $(STAMP)
	PYTHONPATH=$(CURDIR):$(CURDIR)/board OMP_NUM_THREADS=1 $(PY) bench/tasks_doc.py $(TASKS_DOC_FLAGS)

test: $(STAMP) board-env-if-possible browser-if-possible
	$(PY) -m pytest

test-fast: $(STAMP) board-env-if-possible browser-if-possible
	$(PY) -m pytest -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check fpgaflow board tests bench
	$(VENV)/bin/ruff format --check fpgaflow board tests bench
	$(VENV)/bin/mypy fpgaflow board/fpgaflow_board
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) $(BOARD_VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache

# The board side's own environment: Python 3.10 + pynq 3.1.2 (what PYNQ image v3.1 runs).  pynq pulls
# protobuf 5, which TensorFlow 2.15 cannot share, so it lives apart from .venv; tests that drive pynq's
# own DMA class use it when present (tests/test_board_pynq_dma.py) and skip without it.
PYTHON310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) python3.10)
BOARD_VENV := .venv-board

.PHONY: board-env-if-possible browser-if-possible
board-env: $(BOARD_VENV)/.installed

# `make test` builds the board environment too; without a Python 3.10 it says so and the pynq tests skip.
board-env-if-possible:
	@if $(PYTHON310) -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory board-env; \
	else echo "note: no Python 3.10 found ($(PYTHON310)); tests that drive pynq's own DMA class will skip"; fi

$(BOARD_VENV)/.installed:
	$(PYTHON310) -m venv $(BOARD_VENV)
	$(BOARD_VENV)/bin/pip install --quiet 'pynq==3.1.2' 'numpy>=1.23,<2' 'pycparser<3'
	touch $@

# The run report's browser test (tests/test_report_browser.py) renders report.html in Debian's headless
# Chromium.  `make test` installs it when it is missing and apt-get can (root, Debian's registry reachable,
# non-interactive); otherwise it says so and that test skips, naming the reason.
browser-if-possible:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium (headless browser for the report test)"; \
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
		|| echo "note: chromium could not be installed; the report's browser test will skip"; \
	else echo "note: no chromium, and apt-get needs root; the report's browser test will skip"; fi

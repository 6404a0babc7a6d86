# jixiao — the two commands: `make report` and `make test`. Both set up whatever is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.jixiao-installed
TESTS  := $(VENV)/.jixiao-test-installed
KERNEL := $(VENV)/share/jupyter/kernels/jixiao/kernel.json
PARAMS ?= params/fy2021.yaml

.PHONY: report test lab setup system-deps test-system-deps lint bench clean

report: setup  ## render the FY2021 report (HTML, PDF and Word) from the shipped seed data
	$(BIN)/jixiao report $(PARAMS)

test: setup $(TESTS) test-system-deps  ## install what is missing and run every test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lab: setup  ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root )notebooks/

setup: $(STAMP) $(KERNEL) system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

# The test tools (pytest, hypothesis, ruff, mypy, pypdf): only for `make test` and `make lint`.
$(TESTS): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TESTS)

$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name jixiao --display-name "Python (jixiao)" >/dev/null

system-deps:
	@scripts/install-system-deps.sh report

test-system-deps:
	@scripts/install-system-deps.sh test

lint: setup $(TESTS)
	$(BIN)/ruff check . && $(BIN)/ruff format --check src tests bench

bench: setup  ## print the benchmark figures
	$(BIN)/python bench/score_bench.py
	$(BIN)/python bench/report_bench.py

clean:
	rm -rf reports/ .pytest_cache .ruff_cache

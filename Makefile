# Two commands for a fresh machine with Python 3.11, pip and make:
#   make lab   - create .venv if missing, install diplokit + notebook deps, open JupyterLab
#   make test  - install the dev deps too and run the whole suite (notebooks included)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
# Containers often run as root, where JupyterLab refuses to start without this flag.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: lab test notebooks report bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[notebook]"
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[notebook,dev,scale]"
	touch $@

lab: $(VENV)/.stamp-lab
	@echo "JupyterLab on http://127.0.0.1:$(PORT)/lab (the URL with its token is printed below)"
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) --ServerApp.open_browser=False --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

# The notebooks run under nbval (outputs compared to the committed ones); --dist loadfile
# keeps each notebook's cells in order on one worker.
test: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval --nbval-current-env tests notebooks

# Re-execute the notebooks and save their outputs (after a deliberate change of findings).
notebooks: $(VENV)/.stamp-dev
	$(BIN)/python scripts/make_notebooks.py

report: $(VENV)/.stamp-lab
	$(BIN)/python -m diplokit.cli report

bench: $(VENV)/.stamp-dev
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python scripts/benchmark.py
	$(BIN)/python scripts/bench_filters.py

clean:
	rm -rf $(VENV) reports build .pytest_cache

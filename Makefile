# Two commands on a fresh machine: `make run` starts the app, `make test` runs the whole test suite.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.10 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3,10) <= sys.version_info[:2] <= (3,12))' && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test bench samples clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "footform needs Python 3.10, 3.11 or 3.12 on PATH" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) build *.egg-info

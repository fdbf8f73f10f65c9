# Two commands on a fresh machine: `make run` starts the app, `make test` runs the linter and the whole test suite.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.10 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3,10) <= sys.version_info[:2] <= (3,12))' && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test e2e e2e-load bench soak samples traces clean

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
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

# The live page in Debian's Chromium (also part of `make test`); needs /usr/bin/chromium, skips saying so without it.
e2e: $(STAMP)
	$(PY) -m pytest -m e2e tests/e2e

# The browser tests 5 times over, each run beside a busy loop on one core; prints the pass count (not part of `make test`).
e2e-load: $(STAMP)
	$(PY) -m tests.e2e.load

bench: $(STAMP)
	$(PY) -m tests.bench
	$(PY) -m tests.e2e.live_bench

# Ten minutes of live streaming: memory growth and errors (not part of `make test`).
soak: $(STAMP)
	$(PY) -m tests.e2e.soak

# Sample clips (samples/) rendered from samples/catalogue.json: a separate venv with the `render` extra (torch, anny,
# moderngl); `make run` and `make test` never need it. The body model's cache (~800 MB) lives outside the repository.
RENDER_VENV := .venv-render
RENDER_JOBS ?= 2
ANNY_CACHE_DIR ?= $(HOME)/.cache/footform-anny
# Where pip would fetch a CUDA build of torch, e.g. TORCH_INDEX=https://download.pytorch.org/whl/cpu (the CPU wheel is enough).
TORCH_INDEX ?=

$(RENDER_VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "footform needs Python 3.10, 3.11 or 3.12 on PATH" >&2; exit 1; }
	test -x $(RENDER_VENV)/bin/python || $(PYTHON) -m venv $(RENDER_VENV)
	$(RENDER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RENDER_VENV)/bin/python -m pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(RENDER_VENV)/bin/python -m pip install --quiet -e '.[render]'
	touch $@

samples: $(RENDER_VENV)/.installed
	ANNY_CACHE_DIR=$(ANNY_CACHE_DIR) $(RENDER_VENV)/bin/python -m samples.render --jobs $(RENDER_JOBS)

# Landmark traces the detector tests replay: one per sample clip and per real clip in ../shared/realvids.
# Record them again whenever the samples are rendered again.
traces: $(STAMP)
	for clip in samples/*.mp4; do $(VENV)/bin/footform trace $$clip tests/traces/sample_$$(basename $$clip .mp4).npz || exit 1; done
	for clip in ../shared/realvids/*.mp4; do [ -f "$$clip" ] || continue; \
		$(VENV)/bin/footform trace $$clip tests/traces/real_$$(basename $$clip .mp4).npz || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info

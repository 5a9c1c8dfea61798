# The project's verbs. `make test` and `make run` set up their own virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench load clean starlette-compat load-asgi

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "sessionware needs Python >= 3.11; set PYTHON=python3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

## Serve the example app (visit counter, login/logout) on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/python examples/plain_app.py

## Lint, type-check and run the whole suite with branch coverage
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term

## Benchmarks side by side with Flask, Beaker and a stdlib floor
bench: $(STAMP)
	$(BIN)/python -m bench

## Load run: the example app under gunicorn on 127.0.0.1, with and without sessions (wrk)
load: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update && apt-get install -y wrk; }
	$(BIN)/python -m bench.load

## Load run: a visit counter under uvicorn, bare / sessionware.asgi / Starlette's middleware (wrk)
load-asgi: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update && apt-get install -y wrk; }
	$(BIN)/python -m bench.load_asgi

## Starlette 1.10.0's own session tests, unchanged, against sessionware.asgi (downloads its sdist)
STARLETTE_VERSION := 1.10.0
STARLETTE_SRC := .compat/starlette-$(STARLETTE_VERSION)
starlette-compat: $(STAMP)
	@test -d $(STARLETTE_SRC) || { \
		$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: \
			starlette==$(STARLETTE_VERSION) -d .compat && \
		tar -xzf .compat/starlette-$(STARLETTE_VERSION).tar.gz -C .compat; }
	cd $(STARLETTE_SRC) && PYTHONPATH=$(CURDIR)/compat $(CURDIR)/$(BIN)/python -m pytest \
		-p starlette_plugin tests/middleware/test_session.py -v

clean:
	rm -rf $(VENV) .coverage .pytest_cache .mypy_cache .ruff_cache *.egg-info

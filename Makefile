# The project's verbs. `make test` and `make run` set up their own virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest docs bench bench-callgrind load clean chromium django-compat \
	flask-compat ecosystem-compat starlette-compat load-asgi dist test-matrix

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "sessionware needs Python >= 3.11; set PYTHON=python3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/python -m pip install --quiet -e . --group test --group bench --group docs
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

pytest: $(STAMP) chromium
	$(BIN)/pytest --cov --cov-report=term

## Headless Chromium for the browser test (skipped, naming this command, if it fails)
chromium:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; } || \
		echo "chromium not installed; the browser test will skip"

## The docs site (Sphinx, MyST and autodoc) in docs/_build/html; any warning is an error
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

## Benchmarks side by side with Flask, Beaker, Starlette, starsessions and a stdlib floor;
## prints issue 17's targets, calls and bytes per request, and writes docs/_static/bench.svg
bench: $(STAMP)
	$(BIN)/python -m bench

## Instructions per request under valgrind's callgrind: the same on a busy machine
bench-callgrind: $(STAMP)
	@command -v valgrind >/dev/null 2>&1 || { apt-get update && apt-get install -y valgrind; }
	$(BIN)/python -m bench.callgrind

## Load run: the example app under gunicorn on 127.0.0.1, with and without sessions (wrk)
load: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update && apt-get install -y wrk; }
	$(BIN)/python -m bench.load

## Django's own session tests (tests/sessions_tests) against both engines, on Django
## 5.2 LTS and the newest Django (which needs Python 3.12+); sdists and venvs in .compat/
DJANGO_LTS ?= 5.2.19
DJANGO_NEWEST ?= 6.1.3
PYTHON_NEWEST ?= $(shell for p in python3.14 python3.13 python3.12 $$HOME/.pyenv/versions/3.1[234]*/bin/python3; do $$p -c "import sys; sys.exit(sys.version_info < (3, 12))" 2>/dev/null && { echo $$p; break; }; done)
django-compat:
	compat/django/run.sh $(DJANGO_LTS) $(PYTHON)
	@test -n "$(PYTHON_NEWEST)" || { echo "Django $(DJANGO_NEWEST) needs Python 3.12+; set PYTHON_NEWEST=/path/to/python3.12"; exit 1; }
	compat/django/run.sh $(DJANGO_NEWEST) $(PYTHON_NEWEST)

## Flask 3.1.3's own session tests, unchanged, with every Flask app on sessionware
FLASK_VERSION := 3.1.3
FLASK_SDIST := .compat/flask-$(FLASK_VERSION)
FLASK_TESTS := test_basic test_testing test_reqctx test_session_interface test_helpers \
	test_signals test_config
flask-compat: $(STAMP)
	@test -d $(FLASK_SDIST)/tests || { \
		mkdir -p .compat && \
		$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: \
			flask==$(FLASK_VERSION) -d .compat && \
		tar -xzf .compat/flask-$(FLASK_VERSION).tar.gz -C .compat; }
	cd $(FLASK_SDIST) && PYTHONPATH=$(CURDIR) $(CURDIR)/$(BIN)/pytest -p tests.flask_compat.plugin \
		-p no:cacheprovider -rxX -k "session or flash or secret_key" \
		$(patsubst %,tests/%.py,$(FLASK_TESTS))
	cd $(FLASK_SDIST) && COMPAT_SESSION_INTERFACE=server-side PYTHONPATH=$(CURDIR) \
		$(CURDIR)/$(BIN)/pytest -p tests.flask_compat.plugin -p no:cacheprovider -rxX \
		-k "session or flash or secret_key" $(patsubst %,tests/%.py,$(FLASK_TESTS))

## Flask-WTF 1.3.0's whole test suite, unchanged, with every Flask app on sessionware
## (signed cookie, then a server-side MemoryStore); its test dependencies, pinned, go into
## the venv here rather than into the test extra, since this target alone needs them
FLASK_WTF_VERSION := 1.3.0
FLASK_WTF_SDIST := .compat/flask_wtf-$(FLASK_WTF_VERSION)
ECOSYSTEM_PINS := wtforms==3.3.2 flask-babel==4.0.0 babel==2.18.0 pytz==2026.6 \
	flask-reuploaded==1.6.0
ecosystem-compat: $(STAMP)
	$(BIN)/python -m pip install --quiet $(ECOSYSTEM_PINS)
	@test -d $(FLASK_WTF_SDIST)/tests || { \
		mkdir -p .compat && \
		$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: \
			flask-wtf==$(FLASK_WTF_VERSION) -d .compat && \
		tar -xzf .compat/flask_wtf-$(FLASK_WTF_VERSION).tar.gz -C .compat; }
	cd $(FLASK_WTF_SDIST) && PYTHONPATH=$(CURDIR):src $(CURDIR)/$(BIN)/pytest \
		-p tests.flask_compat.plugin -p no:cacheprovider -rxXs tests
	cd $(FLASK_WTF_SDIST) && COMPAT_SESSION_INTERFACE=server-side PYTHONPATH=$(CURDIR):src \
		$(CURDIR)/$(BIN)/pytest -p tests.flask_compat.plugin -p no:cacheprovider -rxXs tests

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

## The suite on Python 3.11, 3.12 and 3.13, each with the oldest and the newest Flask, Werkzeug
## and Django allowed (noxfile.py; outside make test). Pythons come from PATH, pyenv's first;
## NOX_ARGS passes options to nox, e.g. NOX_ARGS='-- tests/test_flask_interop.py'
MATRIX_PATH := $(subst $(eval) ,:,$(wildcard $(HOME)/.pyenv/versions/3.1[123].*/bin))
NOX_ARGS ?=
test-matrix: $(STAMP)
	$(BIN)/python -m pip install --quiet --group matrix
	PATH="$(MATRIX_PATH):$$PATH" $(BIN)/nox $(NOX_ARGS)

## The sdist and the wheel (built from the sdist) in dist/, checked with twine check --strict
dist: $(STAMP)
	$(BIN)/python -m pip install --quiet --group dist
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) .coverage .pytest_cache .mypy_cache .ruff_cache *.egg-info docs/_build dist build .nox

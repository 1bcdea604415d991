# Two commands matter: `make run` (set up and start the bot) and `make test` (ruff, strict mypy and the whole
# suite, as CI runs it). While working: `make format`, `make migration MESSAGE="add x"`, `make lock`.
# Both install the exact versions of the lock (requirements/runtime.txt, requirements/dev.txt: hashed pins, made by
# `make lock`), then the project itself without dependencies, so every checkout, CI and the image run the same code.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# The lock is resolved for every platform (--universal) and Python 3.11, the version of CI and the image.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 --generate-hashes

.PHONY: run test lint typecheck pytest format migration bench locales lock clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip

$(RUNTIME_STAMP): requirements/runtime.txt pyproject.toml | $(VENV)/bin/python
	$(PIP) --require-hashes -r requirements/runtime.txt
	$(PIP) --no-deps -e .
	touch $@

$(DEV_STAMP): requirements/dev.txt requirements/runtime.txt pyproject.toml | $(VENV)/bin/python
	$(PIP) --require-hashes -r requirements/dev.txt
	$(PIP) --no-deps -e .
	touch $(RUNTIME_STAMP) $@

run: $(RUNTIME_STAMP)  ## migrate the database, load the demo data once, start the bot
	$(PY) -m bot db upgrade
	$(PY) -m bot seed-demo
	$(PY) -m bot run

test: lint typecheck pytest  ## everything CI checks

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(DEV_STAMP)  ## the product strictly, tests and bench/ too (pyproject.toml [tool.mypy])
	$(VENV)/bin/mypy

format: $(DEV_STAMP)  ## fix what ruff can, then format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migration: $(RUNTIME_STAMP)  ## autogenerate the next numbered revision into models/migrations/versions/
	@test -n "$(MESSAGE)" || { echo 'usage: make migration MESSAGE="add x"' >&2; exit 2; }
	$(VENV)/bin/alembic upgrade head
	$(VENV)/bin/alembic revision --autogenerate -m "$(MESSAGE)"

pytest: $(DEV_STAMP)
	$(PY) -m pytest

bench: $(DEV_STAMP)  ## the figures recorded in BENCHMARKS.md
	$(PY) bench/dialog.py
	$(PY) bench/catalog.py
	$(PY) bench/follow_ups.py --alumni 1000000
	$(PY) bench/telegram_send.py
	$(PY) bench/whatsapp_send.py
	$(PY) bench/scale.py

locales: $(DEV_STAMP)  ## re-extract messages and merge them into locales/*/LC_MESSAGES/messages.po
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location --sort-output --omit-header \
		-o locales/messages.pot .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages --width 110 --no-fuzzy-matching --ignore-obsolete

lock: $(DEV_STAMP)  ## refresh the lock after editing pyproject.toml; UPGRADE="--upgrade-package aiogram" or --upgrade
	$(LOCK) $(UPGRADE) -o requirements/runtime.txt
	$(LOCK) $(UPGRADE) --extra dev -c requirements/runtime.txt -o requirements/dev.txt
	@echo "lock refreshed: review 'git diff requirements/', then make test"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Two commands for a fresh machine with Python 3.11:
#   make run    start the system with demo data on SQLite (reminders in-process, no Redis)
#   make test   install everything and run the whole suite against PostgreSQL and Redis
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

export FLASK_APP := wsgi:app

.PHONY: run test install install-dev migrate seed worker migrations-check lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo --host $(HOST) --port $(PORT)

run: seed
	$(BIN)/flask run --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/python -m workers

test: install-dev
	COORDINATOR_TEST_DATABASE_URL=$(TEST_DATABASE_URL) COORDINATOR_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

# Apply every migration to empty SQLite and PostgreSQL databases and fail on model drift.
migrations-check: install-dev
	COORDINATOR_TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python scripts/check_migrations.py

# Lint (rules chosen in ruff.toml) and formatting check; `make format` rewrites the files.
LINT_PATHS := coordinator workers tests scripts migrations wsgi.py gunicorn.conf.py
lint: install-dev
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: install-dev
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

clean:
	rm -rf $(VENV) .pytest_cache

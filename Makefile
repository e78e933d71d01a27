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

.PHONY: run test install install-dev migrate seed worker migrations-check lint clean

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
	$(BIN)/flask seed-demo

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

# Errors only (undefined names, unused imports and variables, syntax): style is left to review.
lint: install-dev
	$(BIN)/ruff check --select F,E9 coordinator workers tests scripts migrations wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache

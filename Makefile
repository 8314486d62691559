# Everyday commands. `make run` and `make test` work on a fresh machine: they create the
# virtualenv, install the project and, without DATABASE_URL, start an embedded PostgreSQL.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-prereqs setup install lint format serve bench drill db-stop migrations-check clean-local

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# `make run` creates the demo accounts (development only); DEMO_ACCOUNTS=0 make run does not.
DEMO_ACCOUNTS ?= 1

# Development database: migrations (with the starting data) and every page in fixtures/.
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_calendar
	$(PY) manage.py import_newspaper fixtures/*.txt

# The web server and a job worker (e-mail, reminders); Ctrl-C stops both.
run: setup
	DEMO_ACCOUNTS=$(DEMO_ACCOUNTS) $(PY) manage.py seed_portal
	PORT=$(PORT) bash bin/run

# The system packages first (bin/test-prereqs installs them as root or says what to install), so a
# missing browser stops the run at once instead of failing minutes later.
test-prereqs:
	bash bin/test-prereqs

test: test-prereqs setup
	$(PY) -m pytest -n auto

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# The production stack (DEBUG off, gunicorn, whitenoise, HTTPS only, JOB_WORKERS job workers,
# default 1). Set SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL for a real deployment; locally the
# embedded database and a throw-away key do, and PLAIN_HTTP_LOOPBACK=1 allows plain HTTP on
# 127.0.0.1 for a test. It runs migrations and creates no other data (no demo accounts, no
# pages): an administrator comes from `manage.py createsuperuser`. Its preflight also adds the
# official calendar's years that chinese-calendar knows and the database lacks (admins' edits stay).
serve: install
	bash bin/serve

# The benchmark builds and drops its own databases; it needs no dev data.
bench: install
	$(PY) -m bench

# The restart drill: bin/serve on its own throw-away PostgreSQL, which is stopped and started
# again under a bounded load; fails if any request after the restart fails (portal/drill.py).
drill: install
	bash bin/drill

db-stop:
	@if [ -x $(PY) ]; then $(PY) -m portal.embedded_db stop; fi

clean-local: db-stop
	rm -rf .local

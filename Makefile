# Acompaña — the two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?= -n 2 -q
DEB_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext

.PHONY: install system-deps run test lint typecheck migrations-check pytest messages bench clean-db

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Debian packages for PDF rendering and browser tests (installed when missing and root).
system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Instalando paquetes Debian:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Faltan paquetes Debian:$$missing — instálelos con: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

run: install
	$(PY) -m acompana.config.launcher

lint: install
	$(VENV)/bin/ruff check src tests conftest.py
	$(VENV)/bin/ruff format --check src tests conftest.py
	$(VENV)/bin/lint-imports --no-cache

typecheck: install
	DATABASE_URL=postgres://unused/unused ACOMPANA_TESTING=1 $(VENV)/bin/mypy src

# pytest (and makemigrations --check) on DATABASE_URL, or on the embedded server when unset.
pytest: install system-deps
	@set -e; started=""; \
	if [ -z "$$DATABASE_URL" ]; then export DATABASE_URL=$$($(PY) -m acompana.config.embedded_db start); started=1; fi; \
	trap '[ -n "$$started" ] && $(PY) -m acompana.config.embedded_db stop' EXIT; \
	ACOMPANA_TESTING=1 $(PY) manage.py makemigrations --check --dry-run; \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Spanish catalogues of every product app (each folder of src/acompana with an apps.py but
# config): extract, then compile. Fill new msgstr by hand or with scripts/fill_po.py.
messages: install
	cd src/acompana && for app in $$(ls */apps.py | xargs -n1 dirname); do \
	  mkdir -p $$app/locale; \
	  (cd $$app && DATABASE_URL=postgres://unused/unused ACOMPANA_TESTING=1 ../../../$(PY) ../../../manage.py makemessages -l es --no-obsolete --ignore "tests/*" -v0); done
	cd src/acompana && for app in $$(ls */apps.py | xargs -n1 dirname); do \
	  (cd $$app && DATABASE_URL=postgres://unused/unused ACOMPANA_TESTING=1 ../../../$(PY) ../../../manage.py compilemessages -v0); done

bench: install
	$(PY) -m benchmarks.run

clean-db:
	$(PY) -m acompana.config.embedded_db stop; rm -rf var/pgdata

# Attune: `make run` serves the demo, `make test` runs the whole suite. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app
PORT ?= 5000
# `HOST=0.0.0.0 make run` serves on every interface, to try the demo on a tablet on the same network
# (README: demo data, no TLS, a trusted network only). The debugger never listens beyond this machine.
HOST ?= 127.0.0.1
LOOPBACK := 127.0.0.1 localhost ::1

.PHONY: bench lighthouse run test test-db soak lint lock e2e screenshots browser system-deps translations extract-translations update-translations db-check clean help

help:
	@echo "make run      - set up and serve the demo on http://127.0.0.1:$(PORT) (HOST=0.0.0.0: on the network)"
	@echo "make test     - set up, lint (ruff, mypy) and run the whole test suite on SQLite"
	@echo "make test-db  - the suite without the browser tests, on \$$TEST_DATABASE_URL"
	@echo "make soak     - twenty writers on SQLite for SOAK_SECONDS (60)"
	@echo "make lighthouse - Lighthouse (mobile) on four demo pages, scores to docs/lighthouse.md"
	@echo "make lock     - recompile the pinned requirements*.txt from requirements*.in"

# Every install checks the hashes pinned in the compiled requirement files (`make lock`). The
# runtime goes everywhere; requirements-dev.txt (tests, lint) and requirements-bench.txt (the
# load test) go on top of it, each constrained to the runtime's pins.
PIP_INSTALL := $(BIN)/pip install --quiet --require-hashes

# The pip bundled with Python 3.11 (23.2) lets a package's extra (weasyprint's fonttools[woff])
# resolve past the pinned version, which --require-hashes then refuses: a new environment first
# gets the pip pinned in requirements-pip.txt.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-pip.txt

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

$(VENV)/.bench: requirements.txt requirements-bench.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt -r requirements-bench.txt
	touch $@ $(VENV)/.runtime

# Recompiles requirements*.txt from requirements*.in, keeping the versions pinned today unless
# told otherwise: LOCK_ARGS=--upgrade, or LOCK_ARGS="--upgrade-package flask". The dev and
# bench files are constrained by the runtime file, so the order matters.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: $(VENV)/.dev
	$(PIP_COMPILE) -o requirements-pip.txt requirements-pip.in
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in
	$(PIP_COMPILE) -o requirements-bench.txt requirements-bench.in

# Compiled catalogues are build output (not committed): compile them from the .po files.
translations: $(VENV)/.runtime
	$(BIN)/pybabel compile -d app/translations >/dev/null

# The demo logins are printed once, here, whether the demo was loaded now or on an earlier run.
run: $(VENV)/.runtime system-deps translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty --no-logins
	@echo
	@echo "Demo logins, password 'attune-demo-2026':"
	@$(BIN)/python -c "from app.cli.demo import demo_logins; print('\n'.join(demo_logins()))"
	@echo
ifeq ($(filter $(HOST),$(LOOPBACK)),)
	@echo "Attune runs on every network interface: on a tablet open http://$$(hostname -I 2>/dev/null | cut -d' ' -f1):$(PORT)"
	@echo "Demo data with known passwords and no TLS: use it only on a network you trust.  (stop with Ctrl-C)"
	$(BIN)/flask run --host $(HOST) --port $(PORT) --no-debugger
else
	@echo "Attune runs on http://$(HOST):$(PORT)  (stop with Ctrl-C)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)
endif

# Pango and a font for the PDF of the printed plan (WeasyPrint). Installed with apt-get when
# missing and running as root; otherwise it says what to install.
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || ! fc-list 2>/dev/null | grep -qi dejavu; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null)) \
	      && echo "Installed Pango and DejaVu fonts for PDF printing."; \
	  else echo "PDF printing needs Pango and a font: install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core."; fi; \
	fi

# Debian's Chromium for the browser tests (Playwright's own download is not reachable here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) \
	      && echo "Installed Chromium for the browser tests."; \
	  else echo "Chromium is missing: the browser tests will skip (install the 'chromium' package)."; fi; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy  # files and settings: pyproject.toml

# What a developer runs: everything set up, lint, the whole suite (browser tests included) on
# SQLite, or on TEST_DATABASE_URL when set.
test: $(VENV)/.dev translations system-deps browser lint
	$(BIN)/pytest

# The suite without the browser tests, on TEST_DATABASE_URL (SQLite when unset): CI runs it on
# PostgreSQL after `make test`, so lint, catalogues and the browser journeys run once.
test-db: $(VENV)/.dev translations system-deps
	$(BIN)/pytest --ignore=tests/e2e

# Twenty writers on SQLite for a minute, as the issue asks (the suite runs them for 5 s).
SOAK_SECONDS ?= 60
soak: $(VENV)/.dev
	TEST_DATABASE_URL= SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/pytest -q tests -k test_twenty_writers_on_sqlite_lose_nothing

e2e: $(VENV)/.dev translations system-deps browser
	REQUIRE_E2E=1 $(BIN)/pytest tests/e2e

# Models and migrations agree (run against a scratch SQLite database).
db-check: $(VENV)/.runtime
	@tmp=$$(mktemp -d); \
	DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/flask db upgrade >/dev/null && \
	DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/flask db check; status=$$?; rm -rf $$tmp; exit $$status

extract-translations: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location --sort-output --project Attune -o app/translations/messages.pot .

update-translations: extract-translations
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-wrap --ignore-obsolete
	$(BIN)/python app/translations/sync_en.py

# Screenshots of the main pages for the README, made by the browser journeys from the demo data.
screenshots: $(VENV)/.dev translations system-deps browser
	SCREENSHOTS=1 REQUIRE_E2E=1 $(BIN)/pytest -q tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Scans a throwaway instance with sqlmap and wapiti, logged in as each role, and writes the
# findings into docs/security.md (about 15 minutes; not part of CI). The scanners pin older
# libraries than the app, so they get a virtualenv of their own.
SECURITY_VENV := .venv-security
$(SECURITY_VENV)/.installed: requirements-security.txt
	$(PYTHON) -m venv $(SECURITY_VENV)
	$(SECURITY_VENV)/bin/pip install --quiet -r requirements-security.txt
	touch $@

.PHONY: security
security: $(VENV)/.runtime translations $(SECURITY_VENV)/.installed
	$(BIN)/python scripts/security_scan.py --scanners $(SECURITY_VENV)/bin

.PHONY: bench
# Performance (issue #8): synthetic data, gunicorn + locust, docs/benchmarks.md and .json.
# BENCH_DATABASES=sqlite,postgresql  BENCH_SCALES=S,L (M too)  BENCH_USERS=50  BENCH_SECONDS=60
bench: $(VENV)/.bench translations system-deps
	$(BIN)/python bench/run.py

# Lighthouse 12 (mobile preset) with Debian's Chromium on the family list, the longest demo family page,
# the session form and the team overview; scores to docs/lighthouse.md (a few minutes; not part of CI).
# Lighthouse is pinned in bench/lighthouse/package-lock.json; --ignore-scripts: it needs no install
# step, and nothing may download a browser of its own.
LIGHTHOUSE_DIR := bench/lighthouse
$(LIGHTHOUSE_DIR)/node_modules/.installed: $(LIGHTHOUSE_DIR)/package.json $(LIGHTHOUSE_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "make lighthouse needs Node 18 or later with npm (apt-get install nodejs npm)"; exit 1; }
	cd $(LIGHTHOUSE_DIR) && npm ci --ignore-scripts --no-audit --no-fund --silent
	touch $@

lighthouse: $(VENV)/.runtime translations system-deps browser $(LIGHTHOUSE_DIR)/node_modules/.installed
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python $(LIGHTHOUSE_DIR)/run.py

# Undersigned: `make run` serves the app with the demo; `make test` runs lint and the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app wsgi
# Without APP_ENV the app runs as production; `make run` is for trying it out locally.
RUN_FLASK := APP_ENV=development $(FLASK)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint format bench clean journey

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# axe-core for the accessibility checks in the browser tests.
node_modules/.installed-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(STAMP)

# Migrates the SQLite database in instance/, loads the demo into an empty database, then
# serves on $(HOST):$(PORT) with a mail worker delivering to the dev mailbox (/dev/mail).
run: install
	$(RUN_FLASK) db upgrade
	$(RUN_FLASK) demo --if-empty
	@trap 'kill 0' EXIT INT TERM; \
	  $(RUN_FLASK) mail work --interval 2 & \
	  $(RUN_FLASK) jobs work --interval 2 & \
	  while :; do $(RUN_FLASK) notices send-due >/dev/null; sleep 60; done & \
	  $(RUN_FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint node_modules/.installed-stamp
	$(BIN)/pytest $(PYTEST_ARGS)

# The lead's whole job with its page actions counted and printed, then the whole journey; the
# screenshots of every step stay in test-artifacts/journey/ (also when the tests pass).
journey: install node_modules/.installed-stamp
	$(BIN)/pytest tests/test_browser_lead_job.py tests/test_browser_journey.py -s $(PYTEST_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks print figures against their ceilings (not timed tests); they need wrk and PostgreSQL.
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache test-artifacts

# Printbridge. `make run` starts the suite (embedded), `make test` runs every check. Both bootstrap .venv.
SHELL := /bin/bash
VENV := .venv
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
PYTEST_ARGS ?=
# One worker per core; each test module runs whole in one worker, in order, so the tests of a module that
# share a server (one run-dist, one nginx: module-scoped fixtures) start it once and never run beside each
# other. (Not loadgroup: with pytest 9.2 its xdist_group marks are ignored, pytest-xdist issue #1386.)
# Modules start longest first, in the order the shared pytest plugin gives them (in_schedule_order).
PYTEST_PARALLEL ?= -n auto --dist loadfile --no-loadscope-reorder
# Orders `make chaos` places (docs/reliability.md): `make chaos CHAOS_ORDERS=1000` for a shorter run.
CHAOS_ORDERS ?= $(or $(PRINTBRIDGE_CHAOS_ORDERS),10000)

.PHONY: run run-dist sandbox test test-fast lint bench chaos demo nginx chromium screenshots clean

$(VENV)/.synced: pyproject.toml uv.lock shared/pyproject.toml $(wildcard services/*/pyproject.toml) sandbox/pyproject.toml
	@test -x $(UV) || (python3 -m venv $(VENV) && $(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)")
	$(UV) sync --frozen --python $(VENV)/bin/python
	@touch $@

run: $(VENV)/.synced ## the whole suite in one process on PRINTBRIDGE_PORT (default 8000)
	$(VENV)/bin/printbridge run

run-dist: $(VENV)/.synced nginx ## one process per service, PostgreSQL, RabbitMQ, nginx
	$(VENV)/bin/printbridge run-dist

sandbox: $(VENV)/.synced ## local stand-ins for Shopify (port 9101) and the other shop platforms; prints the settings
	$(VENV)/bin/python -m printbridge_sandbox

nginx: ## the distributed gateway; installed from Debian's packages where missing
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light)

chromium: ## the browser the console's tests drive; installed from Debian's packages where missing
	@(test -x /usr/bin/chromium && test -x /usr/bin/chromedriver) || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared/printbridge_shared

test: $(VENV)/.synced nginx chromium lint ## lint, types, unit + PostgreSQL + RabbitMQ + end-to-end + browser tests
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: $(VENV)/.synced ## SQLite only, no PostgreSQL, no broker, no end-to-end runs
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) -m "not postgres and not rabbitmq and not e2e" $(PYTEST_ARGS)

screenshots: $(VENV)/.synced chromium ## the console's main pages as pictures, into docs/console/
	SCREENSHOTS_DIR=docs/console $(VENV)/bin/pytest -p no:randomly -q tests/console

bench: $(VENV)/.synced nginx ## throughput and latency, written to docs/benchmarks.md
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(VENV)/bin/python -m printbridge.bench

chaos: $(VENV)/.synced nginx ## orders placed while each process is killed and each server restarted; docs/reliability.md
	$(VENV)/bin/python -m printbridge.chaos --orders $(CHAOS_ORDERS)

clean:
	rm -rf var

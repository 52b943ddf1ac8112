# greentrack — two commands on a fresh machine: `make run`, `make test`.
# The venv is (re)built from requirements.lock whenever the lock or pyproject changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp's name changes when the install recipe does, so an existing venv is synced again.
STAMP := $(VENV)/.installed-bytecode
UV_VERSION := 0.13.8

.PHONY: run test test-slow test-all lint bench bench-quick venv clean lock system-deps

# uv lives outside the venv: `uv pip sync` removes whatever the lock does not list.
UV := .tools/bin/uv

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools uv==$(UV_VERSION)

# --compile-bytecode: uv (unlike pip) installs no .pyc, and where PYTHONDONTWRITEBYTECODE
# is set (CI, containers) Python then compiles Dagster, pandas, GX & co. from source at
# every start (benchmarks/README.md).
$(STAMP): requirements.lock pyproject.toml | $(UV)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@if [ -z "$$(find data_raw -type f \( -name '*.csv' -o -name '*.xlsx' -o -name '*.zip' \) 2>/dev/null | head -n 1)" ]; then \
		echo "data_raw/ holds no source files: generating the Taicang demo data (scale 1)"; \
		$(BIN)/greentrack generate --out data_raw --scale 1 --seed 42 --defect-rate 0.01 || exit $$?; \
	fi
	$(BIN)/greentrack run

# `make test` is the quick loop (< 5 min): every test but the whole-pipeline runs in real
# processes, which `make test-slow` runs; CI (.ci/run) runs both.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m "not slow" --durations=15 tests

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m slow --durations=15 tests

test-all: test test-slow

lint: $(STAMP)
	$(BIN)/ruff check pipelines assets tests benchmarks
	$(BIN)/ruff format --check pipelines assets tests benchmarks
	$(BIN)/sqlfluff lint --dialect duckdb dbt_like_sql

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --scales 1 10 100 --history-scales 1 10

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.run --scales 1 10

# Debian packages for the tests: headless Chromium (the browser test), a system CJK font
# (optional: the mplfonts wheel in the lock already gives the PNG exports Chinese) and the
# PostgreSQL server (the test of PostgreSQL instance storage starts its own throwaway one).
# Needs root; skipped with a note otherwise.
SYSTEM_PACKAGES := chromium fonts-noto-cjk postgresql
system-deps:
	@if [ "$$(id -u)" != 0 ]; then echo "system-deps: not root, skipping (install $(SYSTEM_PACKAGES) yourself)"; \
	elif dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then echo "system-deps: present"; \
	else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); fi

lock: | $(UV)
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .tools warehouse/*.duckdb* dashboards/site

# Each target builds .venv first if it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLIENTS := tests/clients/node_modules/.package-lock.json

.PHONY: run test test-system bench lint fmt clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Calendar clients' own parsers for the tests (ical.js, Thunderbird's), from the npm registry.
$(CLIENTS): tests/clients/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/clients --no-audit --no-fund --silent; \
	else echo "npm not found: the tests that read feeds with ical.js will skip"; fi

run: $(STAMP)  ## serve on 127.0.0.1:8000 with SQLite and the shipped feeds
	$(BIN)/treatycal serve

test: $(STAMP) $(CLIENTS)  ## the test suite (PostgreSQL tests skip, with a reason, when none is reachable)
	$(BIN)/python -m pytest

test-system: $(STAMP)  ## the command, the server and the container image (Podman) in processes
	$(BIN)/python -m pytest tests/system

bench: $(STAMP)  ## benchmarks; results land in tests/bench/results/
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m tests.bench

lint: $(STAMP)  ## ruff, mypy, import-linter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

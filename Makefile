# The two commands a new user needs: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
MUTATE_STAMP := $(VENV)/.installed-mutation

.PHONY: run test lint test-sqlite test-postgres mutate bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ required"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/zhiben seed-demo
	$(BIN)/zhiben serve

lint: $(STAMP)
	$(BIN)/ruff check app alembic tests bench scripts
	$(BIN)/ruff format --check app alembic tests bench scripts
	$(BIN)/mypy app
	$(BIN)/lint-imports

test-sqlite: $(STAMP)
	ZHIBEN_TEST_DB=sqlite $(BIN)/pytest -q -p no:cacheprovider

test-postgres: $(STAMP)
	$(BIN)/python scripts/test_postgres.py

test: lint test-sqlite test-postgres

$(MUTATE_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,mutation]'
	touch $(MUTATE_STAMP)

# Mutation check of app/rules/ and the hazard state machine against their fast tests
# ([tool.mutmut] in pyproject.toml). Not part of `make test`: minutes of every core. Bounded
# to 10 minutes; a second run only re-tests mutants whose code or tests changed.
mutate: $(MUTATE_STAMP)
	-ZHIBEN_TEST_DB=sqlite timeout 600 nice $(BIN)/mutmut run
	$(BIN)/mutmut export-cicd-stats
	@echo "surviving mutants (mutmut show NAME for the diff):"
	@$(BIN)/mutmut results
	@$(BIN)/python scripts/mutation_score.py mutants/mutmut-cicd-stats.json

# Small-scale load run (issue 11, ≤ 3 minutes): generates zhiben_bench_small (~100k hazards)
# once if missing, serves one worker, prints req/s, p50/p99 and the ratio to /healthz.
# Compare two checkouts in one run: $(BIN)/python bench/load.py --small --tree OTHER --tree .
bench: $(STAMP)
	$(BIN)/python bench/load.py --small --tag small

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache mutants

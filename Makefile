# Every target builds (or reuses) .venv from pyproject.toml first: a fresh machine needs only python3.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SCHEMAS ?= schemas
OUT     ?= generated
PYTEST_ARGS ?=
GENERATE_ARGS ?=

.PHONY: all venv generate check test lint clean

all: generate check test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

## generate: typed models and the OpenAPI document from every model under $(SCHEMAS) into $(OUT)
## (exit 1 when a model was skipped; GENERATE_ARGS=--strict fails on any note)
generate: $(STAMP)
	$(BIN)/cfai generate --schemas $(SCHEMAS) --out $(OUT) $(GENERATE_ARGS)

## check: regenerate into a temporary directory, compare byte for byte with $(OUT), mypy --strict
check: $(STAMP)
	$(BIN)/cfai check --schemas $(SCHEMAS) --out $(OUT)

## test: contract tests, property tests, golden check (HYPOTHESIS_PROFILE=long for long runs)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## regen: pull the tracked schemas → diff (old vs staged new) → generate → check → test, on a staged copy in
## $(REGEN)/; $(SCHEMAS) and $(OUT) are swapped in for the tests and put back if they fail, so any failure
## leaves the tree as it was. PULL_ARGS (e.g. --source api, --keep-going), DIFF_ARGS (e.g. --fail-on breaking).
REGEN     ?= .regen
PULL_ARGS ?=
DIFF_ARGS ?=
.PHONY: regen
regen: $(STAMP)
	rm -rf $(REGEN) && mkdir -p $(REGEN)
	$(BIN)/cfai pull --schemas $(SCHEMAS) --out $(REGEN)/schemas $(PULL_ARGS)
	$(BIN)/cfai diff $(SCHEMAS) $(REGEN)/schemas $(DIFF_ARGS)
	$(BIN)/cfai generate --schemas $(REGEN)/schemas --out $(REGEN)/generated
	$(BIN)/cfai check --schemas $(REGEN)/schemas --out $(REGEN)/generated
	mv $(SCHEMAS) $(REGEN)/schemas.old && mv $(REGEN)/schemas $(SCHEMAS) && \
	mv $(OUT) $(REGEN)/generated.old && mv $(REGEN)/generated $(OUT) && \
	$(BIN)/python -m pytest $(PYTEST_ARGS) || { \
	  if [ -d $(REGEN)/schemas.old ]; then rm -rf $(SCHEMAS) && mv $(REGEN)/schemas.old $(SCHEMAS); fi; \
	  if [ -d $(REGEN)/generated.old ]; then rm -rf $(OUT) && mv $(REGEN)/generated.old $(OUT); fi; \
	  echo "regen: tests failed; $(SCHEMAS) and $(OUT) restored" >&2; exit 1; }
	rm -rf $(REGEN)

## bench: our validator against python-jsonschema, jsonschema-rs, fastjsonschema and the pydantic models (pyperf),
## payload generation, import time, the generate() scale curve; tables on stdout, bench/results.json. BENCH_ARGS=--fast
BENCH_ARGS ?=
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

## fidelity: our verdicts and error paths against python-jsonschema's, on generated and mutated payloads of every
## input variant (HYPOTHESIS_PROFILE=long: over 100,000 payloads); the count goes to bench/fidelity-count-<profile>.json
.PHONY: fidelity
fidelity: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_fidelity.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check codegen tests
	$(BIN)/mypy --strict codegen

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis

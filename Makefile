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

## test: contract tests, property tests, golden check (HYPOTHESIS_PROFILE=long for long runs); schemathesis
## against `cfai serve` needs its own venv (below), built here first
test: $(STAMP) schemathesis-venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-slow: the tests over 90 s (the example workflow from a wheel installed in a clean venv)
.PHONY: test-slow
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

## regen: pull the tracked schemas → diff (old vs staged new) → generate → check → test, on staged copies in
## $(REGEN)/; $(SCHEMAS) and $(OUT) are swapped in together for the tests and put back if they fail or the run is
## interrupted (a run killed outright is undone by the next). PULL_ARGS (e.g. --source api, --keep-going),
## DIFF_ARGS (e.g. --fail-on breaking), PYTEST_ARGS.
REGEN     ?= .regen
PULL_ARGS ?=
DIFF_ARGS ?=
.PHONY: regen
regen: $(STAMP)
	$(BIN)/cfai regen --schemas $(SCHEMAS) --out $(OUT) --work $(REGEN) \
	  --pull-args "$(PULL_ARGS)" --diff-args "$(DIFF_ARGS)" --pytest-args "$(PYTEST_ARGS)"

## bench: our validator against python-jsonschema, jsonschema-rs, fastjsonschema and the pydantic models (pyperf),
## payload generation, import time, the generate() scale curve up to the whole catalog and the user's type checker
## (mypy, pyright) on a one-model script at each size; tables on stdout, bench/results.json. BENCH_ARGS=--fast
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
	$(BIN)/ruff check cfai codegen tests
	$(BIN)/mypy --strict cfai codegen

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis

## schemathesis-venv: schemathesis 4.32.5 in its own venv (it needs hypothesis >= 6.130.12; the dev extra pins
## 6.129.5 for hypothesis-jsonschema), run as a process by tests/test_schemathesis.py
ST_VENV ?= .venv-schemathesis
.PHONY: schemathesis-venv
schemathesis-venv: $(ST_VENV)/.installed
$(ST_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(ST_VENV)
	$(ST_VENV)/bin/python -m pip install --quiet 'schemathesis==4.32.5'
	@touch $@

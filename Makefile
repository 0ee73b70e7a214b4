# Every target builds (or reuses) .venv from pyproject.toml first: a fresh machine needs only python3.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SCHEMAS ?= schemas
OUT     ?= generated
PYTEST_ARGS ?=

.PHONY: all venv generate check test lint clean

all: generate check test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

## generate: typed models (and the rest of generated/) from every model under $(SCHEMAS) into $(OUT)
generate: $(STAMP)
	$(BIN)/cfai generate --schemas $(SCHEMAS) --out $(OUT)

## check: regenerate into a temporary directory, compare byte for byte with $(OUT), mypy --strict
check: $(STAMP)
	$(BIN)/cfai check --schemas $(SCHEMAS) --out $(OUT)

## test: contract tests, property tests, golden check (HYPOTHESIS_PROFILE=long for long runs)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check codegen tests
	$(BIN)/mypy --strict codegen

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis

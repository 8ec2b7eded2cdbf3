# The two commands: `make demo` and `make test`. Both set everything up on a fresh machine
# that has Python 3.11+; the virtual environment lives in .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_TODAY ?= 2026-11-05
DEMO   := $(BIN)/nrr report --config examples/nrr.toml --today $(DEMO_TODAY)

.PHONY: demo test lint typecheck warm warm-unit unit fuzz bench clean install

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "nrr needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

PACKAGES := engine nrr sheets stripe_source warehouse bot

# Bytecode is written here whatever PYTHONDONTWRITEBYTECODE says: an editable install is imported from these
# sources, and without their .pyc files every nrr command compiles them again (0.12 s more a run, measured).
# So is the code of the dataclasses' methods (nrr/classcode.py: 35 ms of every command's start-up), when a
# source changed: it imports every module, about a second.
install: $(VENV)/.classcode
	@$(BIN)/python -m compileall -q $(PACKAGES)

$(VENV)/.classcode: $(VENV)/.installed $(shell find $(PACKAGES) -name '*.py' 2>/dev/null)
	@$(BIN)/python -m compileall -q $(PACKAGES)
	@$(BIN)/python -c 'import nrr.classcode; nrr.classcode.write()'
	@touch $@

demo: install
	@echo "== /nrr last-quarter ==";  $(DEMO) last-quarter
	@echo; echo "== /nrr last-month =="; $(DEMO) last-month
	@echo; echo "== /nrr ttm ==";        $(DEMO) ttm
	@echo; echo "== nrr validate ==";    $(BIN)/nrr validate --config examples/nrr.toml
	@echo; echo "== a customer table (one MRR per customer and month): the 12-month cohort by segment =="
	@$(BIN)/nrr report ttm --ledger examples/customers.csv --today $(DEMO_TODAY) --by segment --top 3
	@echo; echo "== monthly digest for #revenue, and the alerts that follow it (dry run) =="
	@cd examples && ../$(BIN)/nrr digest --config nrr.toml --channel C0REVENUE1 --month 2026-10 --dry-run

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

# The tests write bytecode, PYTHONDONTWRITEBYTECODE or not: pytest caches each test module's rewritten asserts
# there, and without it every one of the four workers compiles and rewrites every module again (about 3 s of CPU
# each). `make test` collects the tests once (`warm`) beside ruff and mypy, then runs them from that cache while
# mypy may still be running: on two cores nothing waits for a cold mypy (12 s on a clean clone).
unit: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

warm: install  # a collection error is not said here: the run that follows reports it
	@PYTHONDONTWRITEBYTECODE= $(BIN)/pytest --collect-only -q -n 0 >/dev/null 2>&1 || true

warm-unit: warm
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

test: install
	@$(MAKE) --no-print-directory -k -j3 -Oline lint typecheck warm-unit  # -k: the tests run though ruff failed

fuzz: install  # every test, the property tests and the mutated workbooks ten times harder than `make test`
	NRR_FUZZ=10 PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/sheets.py
	$(BIN)/python bench/slack.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/customers.py
	$(BIN)/python bench/approximation.py
	$(BIN)/python bench/answers.py
	$(BIN)/python bench/billing.py
	$(BIN)/python bench/forecast.py
	$(BIN)/python bench/stripe.py
	$(BIN)/python bench/xlsx_fuzz.py
	$(BIN)/python bench/answers.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info

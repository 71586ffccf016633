# The two commands a newcomer runs:  make demo  and  make test.
# Each one installs what it needs (Debian packages, a virtualenv with the package).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LEDGER := sample_ledgers/demo
OUT    := reports
DEMO_CONFIG := sample_ledgers/demo.toml

.PHONY: demo test lint bench bench-quick bench-parts update-golden system-deps clean

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: system-deps $(STAMP)
	$(BIN)/reportgen generate --ledger $(LEDGER) --report dekad     --period 2026-10-D2 --format json,xlsx,pdf --out $(OUT) --config $(DEMO_CONFIG)
	$(BIN)/reportgen generate --ledger $(LEDGER) --report monthly   --period 2026-10    --format json,xlsx,pdf --out $(OUT) --config $(DEMO_CONFIG)
	$(BIN)/reportgen generate --ledger $(LEDGER) --report quarterly --period 2026-Q3    --format json,xlsx,pdf --out $(OUT) --config $(DEMO_CONFIG)
	$(BIN)/reportgen generate --ledger $(LEDGER) --report yearly    --period 2025       --format json,xlsx,pdf --out $(OUT) --config $(DEMO_CONFIG)
	@ls -l $(OUT)

test: system-deps $(STAMP)
	$(BIN)/ruff check reportgen tests bench
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check reportgen tests bench
	$(BIN)/mypy reportgen

update-golden: $(STAMP)
	$(BIN)/pytest -q tests/test_render_golden.py tests/test_analysis.py --update-golden

bench: system-deps $(STAMP)
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python bench/run.py

bench-quick: system-deps $(STAMP)
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python bench/run.py --quick

bench-parts: system-deps $(STAMP)
	$(BIN)/python bench/parts.py --sizes 100000,1000000

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache .mypy_cache

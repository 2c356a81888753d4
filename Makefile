# enkat: the README's commands. `make run` serves the demo; `make test` runs everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

# axe-core for the browser tests; skipped (with a message) where npm is missing
node_modules/axe-core: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser tests will be skipped (CI installs it)"; fi

run: install
	$(BIN)/enkat serve --demo --host 127.0.0.1 --port 5000

test: install node_modules/axe-core
	$(BIN)/python -m pytest

bench: install
	@for script in bench/*.py; do [ "$$script" = bench/clients.py ] && continue; \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis .import_linter_cache

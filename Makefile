# enkat: the README's commands. `make run` serves the demo; `make test` runs everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The exact versions (with hashes) of every Python package, the [test] extra's included,
# resolved from pyproject.toml by `make lock`; `make install` installs these and no others.
LOCK := requirements.lock
UV_VERSION := 0.13.9
LOCK_COMMAND = $(BIN)/uv pip compile --quiet pyproject.toml --extra test --universal \
	--python-version 3.11 --fork-strategy fewest --generate-hashes \
	--custom-compile-command 'make lock' --output-file $(LOCK)

.PHONY: install lock lock-upgrade run test bench clean

$(INSTALLED): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(INSTALLED)

install: $(INSTALLED)

# After a change to the dependencies in pyproject.toml: the lock keeps its versions where
# they still fit and resolves only what changed. lock-upgrade moves everything to the newest
# release pyproject.toml allows. Either way, commit requirements.lock with pyproject.toml.
lock lock-upgrade:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv==$(UV_VERSION)'
	$(LOCK_COMMAND) $(if $(filter lock-upgrade,$@),--upgrade)

# axe-core for the browser tests; skipped (with a message) where npm is missing
node_modules/axe-core: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser tests will be skipped (CI installs it)"; fi

# `make run PORT=5001` when 5000 is taken
PORT ?= 5000

run: install
	$(BIN)/enkat serve --demo --host 127.0.0.1 --port $(PORT)

# it ends with its 25 slowest tests: where to look when CI nears its 30 minutes
test: install node_modules/axe-core
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=25

bench: install
	@for script in bench/*.py; do [ "$$script" = bench/clients.py ] && continue; \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis .import_linter_cache .mypy_cache

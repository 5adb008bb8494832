# The two commands of the README:  make demo  (serve the demo alliance)  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint install

# The project and its tools installed by uv (a minute with pip, a few seconds with uv and its
# cache; uv is only the installer, kept in .venv/installer, and nothing imports it); where uv
# cannot be had, pip does it as before.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	( $(PYTHON) -m pip install --quiet --root-user-action=ignore --target $(VENV)/installer uv \
	  && $(VENV)/installer/bin/uv pip install --quiet --python $(BIN)/python -e '.[dev]' ) \
	|| ( $(BIN)/python -m ensurepip --upgrade && $(BIN)/python -m pip install --quiet -e '.[dev]' )
	touch $(STAMP)

install: $(STAMP)

# make demo PORT=8100 serves on another port
demo: $(STAMP)
	bash scripts/system-packages.sh demo
	$(BIN)/lianzhang demo $(if $(PORT),--port $(PORT))

# The tests keep Python's bytecode even where PYTHONDONTWRITEBYTECODE is set: otherwise each
# worker and each process the tests start (servers, workers, commands) compiles the project again.
test: $(STAMP)
	bash scripts/system-packages.sh test
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 3

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ledger domain

# zhifa — two commands on a fresh machine:  make run   and   make test
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV ?= .venv
PY := $(VENV)/bin/python
ZHIFA := $(VENV)/bin/zhifa
PORT ?= 8000
HOST ?= 127.0.0.1
export ZHIFA_HOME := $(CURDIR)

.PHONY: run test venv install system-deps migrate demo serve lint fmt lock clean-db messages browser-deps check-messages bench

# Find a Python >= 3.12: $(PYTHON) if given, python3.13/3.12 on PATH, then ~/.pyenv/versions.
PYTHON_FOUND := $(shell scripts/find-python 2>/dev/null)

$(VENV)/.installed: pyproject.toml requirements.lock
	@if [ -z "$(PYTHON_FOUND)" ]; then scripts/find-python; exit 1; fi
	@echo "使用 Python: $(PYTHON_FOUND)"
	@test -x $(PY) || $(PYTHON_FOUND) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

venv install: $(VENV)/.installed

system-deps:
	@scripts/system-deps

migrate: install
	$(ZHIFA) migrate --noinput

demo: migrate
	$(ZHIFA) load_reference
	$(ZHIFA) load_demo
	$(ZHIFA) dossier keygen --if-missing

run: system-deps demo
	@scripts/serve $(HOST) $(PORT)

test: install
	@scripts/system-deps --test
	$(PY) -m pytest -n 2 --dist loadfile

# Benchmarks (bench/README.md): CASES=100000 ENGINE=sqlite|postgres; the data is generated once per size.
CASES ?= 100000
ENGINE ?= sqlite
bench: install
	$(PY) bench/cases.py --cases $(CASES) --engine $(ENGINE)

lint: install
	$(VENV)/bin/ruff check .

fmt: install
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) scripts/compile-messages

# Regenerate the pinned dependency set (needs network access to PyPI).
lock:
	rm -rf .lockvenv && $(PYTHON_FOUND) -m venv .lockvenv && .lockvenv/bin/pip install --quiet -e '.[dev]' \
	  && .lockvenv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock && rm -rf .lockvenv

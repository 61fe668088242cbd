# streamml: every target installs what it needs; downloads are cached in ignored folders.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CACHE := $(CURDIR)/.cache
export STREAMML_BROKER_CACHE_DIR ?= $(CACHE)
export STREAMML_BROKER_DATA_DIR ?= $(CACHE)/broker
export PATH := $(CACHE)/bin:$(PATH)
PYTEST_ARGS ?=

.PHONY: help venv jars broker-start broker-stop demo test

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11+ is required ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed ## create the virtual environment with all Python dependencies

jars: venv ## resolve the Kafka broker jars from Maven Central (cached in .cache/)
	$(BIN)/streamml broker fetch

broker-start: jars ## start the embedded Kafka broker on 127.0.0.1:9092
	$(BIN)/streamml broker start
	$(BIN)/streamml topics apply --max-replicas 1

broker-stop: venv ## stop the embedded Kafka broker
	$(BIN)/streamml broker stop

demo: broker-start ## run both workflows end to end on the embedded broker
	$(BIN)/streamml demo all
	@echo "The broker keeps running for you to explore: '$(BIN)/streamml broker status'; stop it with 'make broker-stop'."

test: jars ## run the whole test suite (starts and stops its own broker)
	$(BIN)/pytest $(PYTEST_ARGS)

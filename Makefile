# ocrjobs — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export OCRJOBS_TEST_MYSQL_URL ?= mysql+pymysql://root@127.0.0.1:3306/test
export OMP_THREAD_LIMIT := 1

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: system-deps
system-deps: ## Install the Debian packages (Tesseract + languages, Qt runtime libraries)
	@bash .ci/system-deps

$(STAMP): pyproject.toml
	@bash .ci/system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[worker,desktop,dev]'
	@touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create the virtualenv and install ocrjobs with every extra

.PHONY: run
run: $(STAMP) ## Run the product on the embedded local stack (desktop; headless demo without a display)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && $(PY) -c "import desktop.app" 2>/dev/null; then \
		$(PY) -m desktop; \
	else \
		echo "No display found: running the headless demo (local stack + worker + sample images)."; \
		$(PY) -m ocrjobs.demo; \
	fi

.PHONY: demo
demo: $(STAMP) ## Headless demo: local stack, a worker, the sample images OCRed and shown
	$(PY) -m ocrjobs.demo

.PHONY: db
db: ## Make sure the MariaDB used by the tests is up (installs/starts it if needed)
	@bash .ci/ensure-mariadb

.PHONY: test
test: $(STAMP) db ## Run the whole test suite (SQLite and MariaDB)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

.PHONY: test-fast
test-fast: $(STAMP) ## Unit tests only (milliseconds, no services)
	$(PY) -m pytest -q tests/unit

.PHONY: lint
lint: $(STAMP) ## ruff (lint + format check) and mypy --strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

.PHONY: format
format: $(STAMP) ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: bench-submit
bench-submit: $(STAMP) ## Benchmark create_job against `aws s3 cp --recursive` (1,000 images)
	$(PY) -m bench.submit

.PHONY: bench-gui
bench-gui: $(STAMP) db ## Desktop benchmark: first paint, poll tick, UI stall (10k jobs in MariaDB, 1,000 uploads)
	$(PY) -m bench.gui

.PHONY: cfn-sync
cfn-sync: $(STAMP) ## Re-embed resources/deploy/iam/*.json into the CloudFormation template
	$(PY) resources/deploy/iam/policies.py --write

.PHONY: cfn-lint
cfn-lint: $(STAMP) ## cfn-lint the CloudFormation template; fail if its IAM policies drifted
	$(PY) resources/deploy/iam/policies.py --check
	$(VENV)/bin/cfn-lint resources/deploy/ocrjobs.yaml

.PHONY: dist
dist: $(STAMP) ## Build the worker and desktop executables (dist/) and the worker archive for EC2
	PY=$(PY) bash resources/deploy/build-dist.sh

.PHONY: dist-test
dist-test: $(STAMP) ## Smoke-test dist/: frozen worker (empty PATH) on a local stack, desktop --self-check
	OCRJOBS_DIST_DIR=$(CURDIR)/dist QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider tests/e2e/test_dist.py

.PHONY: clean
clean: ## Remove build outputs and caches (keeps the virtualenv)
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache bench/out

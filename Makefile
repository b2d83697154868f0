# Two commands: `make run` and `make test`. Both install everything they need.
VENV := .venv
PYTHON ?= python3

.PHONY: run test install lint format schema clean

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	mkdir -p .data
	touch $@

# The NHS design system from the npm registry, served as static files (never from a CDN).
node_modules/.installed: package.json package-lock.json
	command -v npm >/dev/null || { echo "npm is needed to install the front-end assets (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	bash scripts/run.sh

test: install
	bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# The committed OpenAPI schema; tests/platform/test_schema.py fails when it drifts from the code.
schema: install
	DEBUG=1 $(VENV)/bin/python manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

clean:
	rm -rf $(VENV) staticfiles

# The API's list endpoints against a raw-SQL floor, on its own database (bench/run.py).
.PHONY: bench
bench: install
	DB_NAME=stp_governance_bench bash -c 'source scripts/env.sh && cd "$$ROOT" && DEBUG=1 .venv/bin/python bench/run.py $(BENCH_ARGS)'

# Authority resolution in a registry of 200 partnerships x 500 delegations against one of 500.
.PHONY: bench-authority
bench-authority: install
	bash -c 'source scripts/env.sh && cd "$$ROOT" && .venv/bin/python bench/authority.py'

# Two commands: `make run` and `make test`. Both install everything they need.
VENV := .venv
PYTHON ?= python3

.PHONY: run test install lint format schema clean backup restore

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

# The design system's CSS as served (issue 17): without its @font-face rules, which fetch Frutiger from
# assets.nhs.uk (refused by our CSP: the system font stack is used), and with its icons at the addresses
# they are served from (`/assets/...` answered 404).
NHSUK_CSS := node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css
NHSUK_SERVED_CSS := node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.served.min.css
$(NHSUK_SERVED_CSS): node_modules/.installed Makefile
	sed -E 's/@font-face\{[^}]*\}//g; s#url\(/assets/#url(assets/#g' $(NHSUK_CSS) > $@

install: $(VENV)/.installed node_modules/.installed $(NHSUK_SERVED_CSS)

run: install
	bash scripts/run.sh

test: install
	bash scripts/test.sh

# The database (pg_dump, custom format) and MEDIA_ROOT in one archive, .data/backups/<db>-<time>.tar
# (BACKUP_ARGS="--output /path/to.tar"); `make restore ARCHIVE=...` into an EMPTY database
# (DB_NAME=<new name> creates one): README "Backups".
backup: install
	bash -c 'source scripts/env.sh && cd "$$ROOT" && .venv/bin/python manage.py backup $(BACKUP_ARGS)'

restore: install
	test -n "$(ARCHIVE)" || { echo "make restore ARCHIVE=<backup .tar>"; exit 1; }
	bash -c 'source scripts/env.sh && cd "$$ROOT" && .venv/bin/python manage.py restore "$(abspath $(ARCHIVE))"'

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# The committed OpenAPI schema; tests/platform/test_schema.py fails when it drifts from the code.
schema: install
	DEBUG=1 $(VENV)/bin/python manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

clean:
	rm -rf $(VENV) staticfiles

# The registry at scale, seven measures as ratios (bench/suite.py): `make bench` on the regional
# dataset (stp_regional, generated when missing), `make bench-national` on the national one
# (stp_national: generated once by bench/synthetic/, then kept). BENCH_ARGS="--only lists --reps 20".
.PHONY: bench bench-national
bench: install
	DB_NAME=stp_regional bash -c 'source scripts/env.sh && cd "$$ROOT" && .venv/bin/python bench/suite.py --size regional $(BENCH_ARGS)'

bench-national: install
	DB_NAME=stp_national bash -c 'source scripts/env.sh && cd "$$ROOT" && .venv/bin/python bench/suite.py --size national $(BENCH_ARGS)'

# Authority resolution in a registry of 200 partnerships x 500 delegations against one of 500.
.PHONY: bench-authority
bench-authority: install
	bash -c 'source scripts/env.sh && cd "$$ROOT" && .venv/bin/python bench/authority.py'

#!/usr/bin/env bash
# make test: the same set-up as make run, then lint, migration drift and the whole suite.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "== installing Debian's Chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "== ruff check"; "$ROOT/.venv/bin/ruff" check .
echo "== ruff format --check"; "$ROOT/.venv/bin/ruff" format --check .
echo "== import-linter (layers, docs/decisions/0008-layers.md)"; "$ROOT/.venv/bin/lint-imports" --no-cache
echo "== makemigrations --check"; "$PY" manage.py makemigrations --check --dry-run
echo "== check"; "$PY" manage.py check
# Two processes (pytest-xdist), one per core: each its own test database and Redis db (tests/shared_redis.py).
echo "== pytest"; "$PY" -m pytest --create-db -n "${PYTEST_WORKERS:-2}" "$@"

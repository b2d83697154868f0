#!/usr/bin/env bash
# make run: set everything up, load the demo data, and serve the site with a Celery worker.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

"$PY" manage.py migrate --noinput
"$PY" manage.py load_seed
"$PY" manage.py ensure_demo_user
# Today's scheme and data-quality checks, as the nightly job stores them: the home page reads them.
"$PY" manage.py scheme_check --record >/dev/null

WORKER_PID=""
if [ -z "${CELERY_TASK_ALWAYS_EAGER:-}" ]; then
  "$ROOT/.venv/bin/celery" -A stp_governance worker --beat --loglevel=INFO --concurrency=2 \
    --schedule "$ROOT/.data/celerybeat-schedule" >"$ROOT/.data/celery.log" 2>&1 &
  WORKER_PID=$!
  trap '[ -n "$WORKER_PID" ] && kill "$WORKER_PID" 2>/dev/null' EXIT INT TERM
  echo "Celery worker and beat started (log: .data/celery.log)"
fi

echo
echo "  STP Governance Registry: http://$HOST:$PORT/"
echo "  Admin:                   http://$HOST:$PORT/admin/"
echo "  Demo login:              user 'demo', password 'demo-registry'"
echo
"$PY" manage.py runserver "$HOST:$PORT"

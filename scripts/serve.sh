#!/usr/bin/env bash
# Serve the site as `make run` does (after scripts/run.sh has set up the database): static files
# collected for WhiteNoise, a Celery worker with beat, and gunicorn with stp_governance/gunicorn.conf.py.
# Expects the environment scripts/env.sh exports (DATABASE_URL, REDIS_URL or CELERY_TASK_ALWAYS_EAGER,
# DEBUG); HOST, PORT, WEB_WORKERS and RUN_DIR (Celery's log and beat schedule, .data/) are optional.
# Stopping this script (Ctrl-C, TERM) stops the web server and the worker.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
RUN_DIR="${RUN_DIR:-$ROOT/.data}"
mkdir -p "$RUN_DIR"
cd "$ROOT"

"$PY" manage.py collectstatic --noinput >/dev/null

PIDS=()
stop() {
  if [ "${#PIDS[@]}" -gt 0 ]; then kill "${PIDS[@]}" 2>/dev/null || true; fi
  wait || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${CELERY_TASK_ALWAYS_EAGER:-}" ]; then
  DB_APPLICATION_NAME=stp-governance-worker "$ROOT/.venv/bin/celery" -A stp_governance worker --beat \
    --loglevel=INFO --concurrency=2 --schedule "$RUN_DIR/celerybeat-schedule" >"$RUN_DIR/celery.log" 2>&1 &
  PIDS+=($!)
  echo "Celery worker and beat started (log: $RUN_DIR/celery.log)"
fi

"$ROOT/.venv/bin/gunicorn" -c "$ROOT/stp_governance/gunicorn.conf.py" &
PIDS+=($!)
wait "${PIDS[-1]}"

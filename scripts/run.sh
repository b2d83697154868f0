#!/usr/bin/env bash
# make run: set everything up, load the demo data, and serve the site with a Celery worker
# (scripts/serve.sh: gunicorn with a fixed number of workers, WhiteNoise, Celery worker and beat).
source "$(dirname "$0")/env.sh"
cd "$ROOT"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

"$PY" manage.py migrate --noinput
"$PY" manage.py load_seed
"$PY" manage.py ensure_demo_user
# The demo's partnerships publish their public sites (a partnership administrator's switch in real use).
"$PY" manage.py public_site --all >/dev/null
# Today's scheme and data-quality checks, as the nightly job stores them: the home page reads them.
"$PY" manage.py scheme_check --record >/dev/null

echo
echo "  STP Governance Registry: http://$HOST:$PORT/"
echo "  Admin:                   http://$HOST:$PORT/admin/"
echo "  Public site (no sign-in): http://$HOST:$PORT/public/"
echo "  Demo login:              user 'demo', password 'demo-registry' (a registry administrator: the first"
echo "                           sign-in sets up two-factor authentication; TWO_FACTOR_REQUIRED=0 skips it)"
echo "  Served by gunicorn (${WEB_WORKERS:-2} workers, static files by WhiteNoise); Ctrl-C stops it."
echo
export HOST PORT
exec bash "$ROOT/scripts/serve.sh"

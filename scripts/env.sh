# Sourced by scripts/run.sh and scripts/test.sh: finds PostgreSQL and Redis.
# PostgreSQL: $DATABASE_URL; else the local server on 127.0.0.1:5432; else a private
# cluster under .data/ started with PostgreSQL's own initdb/pg_ctl.
# Redis: $REDIS_URL; else 127.0.0.1:6379; else Celery runs tasks eagerly.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
DB_NAME="${DB_NAME:-stp_governance}"
# Each database name has its own test database, so checkouts side by side never share one.
export TEST_DATABASE_NAME="${TEST_DATABASE_NAME:-test_${DB_NAME}}"
PRIVATE_PORT="${PRIVATE_PG_PORT:-54329}"

can_connect() {
  "$PY" - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg2
psycopg2.connect(sys.argv[1], connect_timeout=3).close()
PY
}

pg_bin() {
  local tool="$1"
  if command -v "$tool" >/dev/null 2>&1; then command -v "$tool"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/$tool" ]; then echo "$(pg_config --bindir)/$tool"; return; fi
  ls -d /usr/lib/postgresql/*/bin/"$tool" 2>/dev/null | sort -V | tail -n 1
}

as_pg_owner() {
  # initdb and pg_ctl refuse to run as root: run them as the postgres user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_private_cluster() {
  local data="$ROOT/.data/postgres"
  local initdb pg_ctl
  initdb="$(pg_bin initdb)"; pg_ctl="$(pg_bin pg_ctl)"
  if [ -z "$initdb" ] || [ -z "$pg_ctl" ]; then
    echo "No PostgreSQL found: set DATABASE_URL, run a local server, or install PostgreSQL's binaries." >&2
    exit 1
  fi
  mkdir -p "$ROOT/.data"
  if [ "$(id -u)" = 0 ]; then chown postgres "$ROOT/.data"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "Initialising a private PostgreSQL cluster in $data"
    as_pg_owner "$initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 >/dev/null
  fi
  if ! as_pg_owner "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "Starting the private PostgreSQL cluster on 127.0.0.1:$PRIVATE_PORT"
    as_pg_owner "$pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p $PRIVATE_PORT -k $data -c listen_addresses=127.0.0.1" start >/dev/null
  fi
}

if [ -z "${DATABASE_URL:-}" ]; then
  LOCAL_PG="${LOCAL_PG:-postgres://postgres@127.0.0.1:5432}"
  if can_connect "$LOCAL_PG/postgres"; then
    export DATABASE_URL="$LOCAL_PG/$DB_NAME"
  else
    start_private_cluster
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIVATE_PORT/$DB_NAME"
  fi
fi

# Create the database when it is missing (needs a role that may create databases).
"$PY" - "$DATABASE_URL" <<'PY'
import sys
import psycopg2
from psycopg2 import sql
from urllib.parse import urlparse, urlunparse

url = urlparse(sys.argv[1])
name = url.path.lstrip("/")
try:
    psycopg2.connect(sys.argv[1], connect_timeout=5).close()
except psycopg2.OperationalError as error:
    if "does not exist" not in str(error):
        raise SystemExit(f"Cannot reach PostgreSQL at {url.hostname or 'socket'}: {error}")
    admin = psycopg2.connect(urlunparse(url._replace(path="/postgres")), connect_timeout=5)
    admin.autocommit = True
    admin.cursor().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    print(f"Created database {name}")
PY

if [ -z "${REDIS_URL:-}" ]; then
  if "$PY" -c "import redis; redis.Redis(host='127.0.0.1', port=6379, socket_connect_timeout=1).ping()" >/dev/null 2>&1; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
  else
    echo "No Redis reachable: background tasks run eagerly in the web process."
    export CELERY_TASK_ALWAYS_EAGER=1
  fi
fi

export DEBUG="${DEBUG:-1}"

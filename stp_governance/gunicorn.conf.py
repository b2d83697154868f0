"""How the site is served, by `make run` (scripts/serve.sh) and in production: `gunicorn -c <this file>`.

Sync workers, one thread each, a fixed number of them: each worker holds at most one database
connection (DB_CONN_MAX_AGE keeps it open between requests), so the registry's connections are
bounded by WEB_WORKERS whatever the traffic. A thread per request (runserver) left one idle
connection behind per thread.
"""

import os

wsgi_app = "stp_governance.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "sync"
threads = 1
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 10
accesslog = "-"  # one line per request on standard output, as the development server printed

# The web processes' connections, told apart from the Celery workers' in pg_stat_activity
# (the workers fork from this process and read the settings after).
os.environ.setdefault("DB_APPLICATION_NAME", "stp-governance-web")
# gunicorn's control socket sits at one path per user ($HOME/.gunicorn/gunicorn.ctl): two instances on
# one machine (make run, the tests) would take it from each other.
control_socket_disable = True

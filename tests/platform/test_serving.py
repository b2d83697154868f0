"""`make run` serves the site with gunicorn (scripts/serve.sh, stp_governance/gunicorn.conf.py), and
the registry's database connections stay bounded under load (issue 14: the development server left an
idle connection behind per request thread, 46 after about 200 requests).

The test starts scripts/serve.sh as scripts/run.sh does (static files collected, a Celery worker with
beat, gunicorn with the config file) against the test database, sends 500 requests from eight
clients at once and watches pg_stat_activity throughout.
"""

import collections
import concurrent.futures
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
import redis
from django.conf import settings
from django.test import Client

from core.access import grant_role
from core.backups import connection_dsn
from core.tokens import api_token_issue
from tests import factories

ROOT = Path(settings.BASE_DIR)
WEB_WORKERS = 2  # gunicorn.conf.py's default
CELERY_PROCESSES = 4  # scripts/serve.sh: the worker's main process, its two pool processes, beat
REQUESTS = 500
CLIENTS = 8
from tests.shared_redis import SHARED_TEST_REDIS as REDIS_URL  # noqa: E402

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'] or '', safe='')}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class ConnectionWatch:
    """Samples the registry's connections to the test database (all but the test's own) every 50 ms."""

    SQL = (
        "SELECT application_name, count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> ALL(%s) GROUP BY 1"
    )

    def __init__(self, *, limit: int, exclude_pid: int):
        self.limit = limit
        self.peak: dict[str, int] = {}
        self.exceeded = threading.Event()
        self._stop = threading.Event()
        self._connection = psycopg2.connect(
            connection_dsn(settings.DATABASES["default"]), password=settings.DATABASES["default"]["PASSWORD"]
        )
        self._connection.autocommit = True
        self._pids = [exclude_pid, self._connection.get_backend_pid()]
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> dict[str, int]:
        with self._connection.cursor() as cursor:
            cursor.execute(self.SQL, [self._pids])
            return dict(cursor.fetchall())

    def _run(self):
        while not self._stop.is_set():
            counts = self.now()
            if sum(counts.values()) > sum(self.peak.values()):
                self.peak = counts
            if sum(counts.values()) > self.limit:
                self.exceeded.set()  # stop the load at once: the shared server's connections are few
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._connection.close()


def get(port: int, path: str, headers: dict) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def served(transactional_db, tmp_path):
    """scripts/serve.sh on a free port against the test database; stopped (TERM) after the test."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DEBUG": "1",
        "RUN_DIR": str(tmp_path / "run"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "DB_CONN_MAX_AGE": "60",
    }
    env.pop("WEB_WORKERS", None)
    env.pop("DB_APPLICATION_NAME", None)
    if redis_reachable():
        redis.Redis.from_url(REDIS_URL).flushdb()
        env["REDIS_URL"] = REDIS_URL
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        celery_processes = CELERY_PROCESSES
    else:
        env["CELERY_TASK_ALWAYS_EAGER"] = "1"
        celery_processes = 0
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: gunicorn and Celery go with it if TERM fails
    )
    try:
        deadline = time.monotonic() + 180  # collectstatic compresses every file first
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if get(port, "/health/", {})[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.5)
        yield port, celery_processes
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_make_run_serves_500_requests_with_bounded_connections(served):
    port, celery_processes = served
    partnership = factories.PartnershipFactory(name="Served Partnership")
    body = factories.BodyFactory(partnership=partnership, name="Served Board")
    user = factories.UserFactory()
    grant_role(user=user, partnership=partnership, role="viewer")
    browser = Client()
    browser.force_login(user)
    session = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    }
    _, key = api_token_issue(name="Served", user=user, partnership=partnership)
    token = {"Authorization": f"Bearer {key}"}
    mix = [
        ("/", session),
        (f"/partnerships/{partnership.pk}/", session),
        (f"/bodies/{body.pk}/", session),
        ("/api/v1/bodies/?limit=10", token),
        (f"/api/v1/partnerships/{partnership.pk}/", token),
        ("/static/nhsuk/nhsuk-frontend.min.css", {"Accept-Encoding": "gzip"}),
        ("/static/css/registry.css", {}),
        ("/static/htmx/htmx.min.js", {}),
        ("/health/", {}),
    ]
    limit = WEB_WORKERS + celery_processes + 2
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own_pid = cursor.fetchone()[0]

    statuses = collections.Counter()
    with (
        ConnectionWatch(limit=limit, exclude_pid=own_pid) as watch,
        concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool,
    ):

        def one(index: int):
            if watch.exceeded.is_set():
                return ("stopped: too many connections", None, None)
            path, headers = mix[index % len(mix)]
            status, response_headers, _ = get(port, path, headers)
            return (status, path, response_headers)

        results = list(pool.map(one, range(REQUESTS)))
        time.sleep(1)  # a last sample after the load
        after = watch.now()

    for status, path, _ in results:
        statuses[(status, path)] += 1
    assert not watch.exceeded.is_set(), f"connections peaked at {watch.peak} (limit {limit})"
    assert {status for status, _, _ in results} == {200}, statuses
    assert sum(watch.peak.values()) <= limit, watch.peak
    assert after.get("stp-governance-web", 0) <= WEB_WORKERS, after
    # Static files come from WhiteNoise, compressed where the client accepts it.
    css = next(headers for _, path, headers in results if path.endswith("nhsuk-frontend.min.css"))
    assert css["Content-Encoding"] == "gzip"

"""Background work against a real broker: a Celery worker (in a thread of the test process) on a
real Redis, db 13 of the local server (JOBS_TEST_REDIS_URL), or, for the fault tests, a private
redis-server on a spare loopback port that the test stops and starts (never the shared one).

Tests that use the worker commit their data (transactional tests: the worker reads it through its
own connection), build what they need with factories, and wait on the database for the result.
"""

import contextlib
import http.server
import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from stp_governance.celery import app
from tests.shared_redis import SHARED_TEST_REDIS

ORIGINAL_BROKER = app.conf.broker_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


class PrivateRedis:
    """A redis-server of the test's own, on a spare loopback port: stop() and start() it at will."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not reachable(self.url):
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def use_broker(url: str) -> None:
    """Point the Celery app at another broker, forgetting connections made to the previous one."""
    app.conf.broker_url = url
    app.conf.result_backend = url
    app._after_fork()


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        use_broker(ORIGINAL_BROKER)


@pytest.fixture
def broker_url():
    """The shared Redis's db 13 (emptied first); a private server where the shared one is not running."""
    if reachable(SHARED_TEST_REDIS):
        redis.Redis.from_url(SHARED_TEST_REDIS).flushdb()
        use_broker(SHARED_TEST_REDIS)
        yield SHARED_TEST_REDIS
        use_broker(ORIGINAL_BROKER)
        return
    server = PrivateRedis()
    server.start()
    use_broker(server.url)
    try:
        yield server.url
    finally:
        server.stop()
        use_broker(ORIGINAL_BROKER)


@contextlib.contextmanager
def running_worker():
    """A real Celery worker consuming from the app's current broker, in a thread of this process."""
    app.conf.worker_hijack_root_logger = False
    app.loader.import_default_modules()
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20
    ) as worker:
        yield worker


@pytest.fixture
def celery_worker(broker_url, transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with running_worker() as worker:
        yield worker


def wait_for(condition, timeout: float = 15.0, interval: float = 0.05):
    """Poll until `condition()` is truthy; returns its value (fails the test on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        time.sleep(interval)


class Receiver:
    """A local HTTP server that records webhook POSTs and answers with the given status codes in turn."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.received: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                receiver.received.append({"headers": dict(self.headers), "body": body, "answered": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/registry"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

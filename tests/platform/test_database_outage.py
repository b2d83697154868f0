"""While PostgreSQL is down the site answers 503 with Retry-After, and recovers by itself.

First the paths one by one, in-process: a connection lost inside the session layer, inside DRF,
inside a middleware layer (handler500).

A real outage, not a mock: the test initialises a PostgreSQL cluster of its own (initdb/pg_ctl,
as the postgres user when run as root) on a spare loopback port with its data in a temporary
directory, migrates a database in it, serves the project against it with gunicorn in production
settings (DEBUG off, persistent connections), stops the cluster with `pg_ctl stop -m fast`, reads
the API and a page, starts the cluster again and reads them once more. The shared server is never
touched. About a minute, most of it the migrations; skipped only where PostgreSQL's binaries are
missing.
"""

import contextlib
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.utils.functional import SimpleLazyObject

from core.errors import server_error
from tests import factories

ROOT = Path(settings.BASE_DIR)


def pg_binary(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_owner(*command: str) -> list[str]:
    """initdb and pg_ctl refuse to run as root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


class PrivateCluster:
    def __init__(self, directory: Path):
        self.data = directory / "data"
        self.port = free_port()
        self.pg_ctl = pg_binary("pg_ctl")

    def init(self) -> None:
        subprocess.run(
            as_owner(
                pg_binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            as_owner(
                self.pg_ctl, "-D", str(self.data), "-l", str(self.data / "log"), "-w", "-o", options, "start"
            ),
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            as_owner(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"), capture_output=True
        )

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


def fetch(url: str, headers: dict | None = None, data: bytes | None = None):
    """(status, headers, body) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def wait_for(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(OSError):
            if check():
                return
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def lost(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.django_db
def test_a_connection_lost_loading_the_session_is_a_503_page_and_json_for_the_api(monkeypatch):
    from django.contrib.sessions.backends.cached_db import SessionStore

    client = Client(raise_request_exception=False)
    client.force_login(factories.UserFactory())
    monkeypatch.setattr(SessionStore, "load", lost)

    page = client.get("/")
    api = client.get("/api/v1/bodies/")

    assert (page.status_code, page["Retry-After"]) == (503, "30")
    assert "Sorry, the registry is unavailable" in page.content.decode()
    assert (api.status_code, api["Retry-After"]) == (503, "30")
    assert api.json()["detail"].startswith("The registry is temporarily unavailable")


def test_a_connection_lost_inside_a_middleware_layer_is_a_503_rendered_without_the_user():
    """Django answers an error in a middleware layer with handler500, inside the except block."""
    request = RequestFactory().get("/partnerships/1/")
    request.user = SimpleLazyObject(lambda: lost())  # rendering must not touch it
    try:
        lost()
    except OperationalError:
        response = server_error(request)

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "Sorry, the registry is unavailable" in response.content.decode()


def test_other_server_errors_stay_500():
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(RequestFactory().get("/api/v1/bodies/")).status_code == 500


SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from bodies.models import Partnership
from core.access import grant_role
from core.tokens import api_token_issue
from django.contrib.auth import get_user_model

user = get_user_model().objects.create_user("outage", password="outage-registry-test")
partnership = Partnership.objects.create(name="Outage Partnership", short_name="Outage", slug="outage")
grant_role(user=user, partnership=partnership, role="secretariat")
_token, key = api_token_issue(name="outage", user=user, partnership=partnership, read_only=False)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(json.dumps({"token": key, "session": session.session_key}))
"""


@pytest.fixture
def served_registry():
    """(base URL, cluster, credentials): the project served against a private cluster."""
    if pg_binary("initdb") is None or pg_binary("pg_ctl") is None:
        pytest.skip("PostgreSQL's initdb/pg_ctl are not installed")
    directory = Path(tempfile.mkdtemp(prefix="stp-outage-"))
    if os.geteuid() == 0:
        os.chown(directory, pwd.getpwnam("postgres").pw_uid, -1)
    cluster = PrivateCluster(directory)
    server = None
    try:
        cluster.init()
        cluster.start()
        subprocess.run(
            as_owner(
                pg_binary("createdb") or "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                "stp_outage",
            ),
            check=True,
            capture_output=True,
        )
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url("stp_outage"),
            "DEBUG": "0",
            "SECRET_KEY": "outage-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DB_CONN_MAX_AGE": "60",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run(
            [*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        made = subprocess.run(
            [*manage, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        credentials = json.loads(made.stdout.strip().splitlines()[-1])
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "stp_governance.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "2",
                "--timeout",
                "60",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(directory / "server.log", "w"),  # noqa: SIM115 - closed with the process
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: fetch(f"{base}/health/")[0] == 200, "the server to start")
        yield base, cluster, credentials
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.slow
def test_while_postgresql_is_down_the_site_answers_503_and_recovers_when_it_returns(served_registry):
    base, cluster, credentials = served_registry
    api = {"Authorization": f"Token {credentials['token']}", "Accept": "application/json"}
    page = {"Cookie": f"sessionid={credentials['session']}", "Accept": "text/html"}
    bodies_url, home_url = f"{base}/api/v1/bodies/", f"{base}/"
    assert fetch(bodies_url, api)[0] == 200
    assert fetch(home_url, page)[0] == 200

    cluster.stop("fast")

    status, headers, body = fetch(bodies_url, api)
    assert status == 503, body[:500]
    assert headers["Retry-After"] == "30"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {
        "detail": "The registry is temporarily unavailable; nothing was read or saved. Try again shortly."
    }
    write = fetch(
        bodies_url, {**api, "Content-Type": "application/json"}, data=b'{"name": "Written in an outage"}'
    )
    assert (write[0], write[1]["Retry-After"]) == (503, "30")
    status, headers, body = fetch(home_url, page)
    assert status == 503, body[:500]
    assert headers["Retry-After"] == "30" and headers["Content-Type"].startswith("text/html")
    assert "Sorry, the registry is unavailable" in body and "nhsuk-header" in body
    assert fetch(f"{base}/health/")[0] == 503

    cluster.start()

    wait_for(lambda: fetch(bodies_url, api)[0] == 200, "the API to recover", seconds=20)
    status, _headers, body = fetch(home_url, page)
    assert status == 200 and "Outage Partnership" in body

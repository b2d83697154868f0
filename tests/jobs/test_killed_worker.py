"""A real `celery worker` process killed with SIGKILL in the middle of a handbook export: the export
still finishes, made by another worker once the lease sweep (run by a real `celery beat`) has sent
it again, or, with its attempts spent, is failed with the reason. The worker and beat are separate processes on the test database and a private
redis-server; short leases and a pause after each progress report (settings, through the
environment) make it fit in well under a minute."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from composition import exports
from core.models import Export
from tests import factories
from tests.jobs.conftest import use_broker, wait_for

ROOT = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))


class Process:
    """A celery command in its own process group, so that it (and any child) can be killed at once."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [CELERY, "-A", "stp_governance", *args],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=20)

    def stop(self) -> None:
        try:
            self.kill(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill()


def environment(redis_url: str, media: Path, max_attempts: int) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stp_governance.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(media),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "JOB_LEASE_SECONDS": "3",
        "LEASE_SWEEP_SECONDS": "1",
        "OUTBOX_DISPATCH_SECONDS": "1",
        "EXPORT_MAX_ATTEMPTS": str(max_attempts),
        "EXPORT_PROGRESS_PAUSE_SECONDS": "0.5",
    }


def handbook_partnership():
    """Eight bodies: the handbook reports progress after each, so it takes several seconds to make."""
    partnership = factories.PartnershipFactory(name="Killed Worker Partnership")
    factories.MembershipFactory(partnership=partnership, organisation__name="Surviving Trust")
    for number in range(8):
        body = factories.BodyFactory(partnership=partnership, name=f"Board {number}")
        factories.AppointmentFactory(body=body, role="chair", person__name=f"Chair {number}")
        factories.TermsOfReferenceFactory(body=body, approved=True)
    return partnership


@pytest.mark.slow
@pytest.mark.parametrize("max_attempts", [3, 1], ids=["finished-by-another-worker", "attempts-spent-failed"])
def test_an_export_whose_worker_is_killed_midway_is_finished_or_failed_with_the_reason(
    max_attempts, private_redis, transactional_db, settings, tmp_path
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    use_broker(private_redis.url)
    env = environment(private_redis.url, media, max_attempts)
    partnership = handbook_partnership()
    started: list[Process] = []

    def start(*args: str, log: str) -> Process:
        started.append(Process(list(args), env, tmp_path / log))
        return started[-1]

    try:
        first = start("worker", "--pool=solo", "-n", "first@%h", "--loglevel=INFO", log="first.log")
        export = exports.export_request(kind="handbook_pdf", partnership=partnership)  # published on commit

        def midway():
            row = Export.objects.get(pk=export.pk)
            return row if row.status == "running" and 0 < row.progress < 90 else None

        caught = wait_for(midway, timeout=60, interval=0.1)
        first.kill()  # SIGKILL: no warm shutdown, the message stays taken (unacknowledged) in Redis
        assert caught.attempts == 1
        assert redis.Redis.from_url(private_redis.url).hlen("unacked") == 1  # back only after 6 h
        killed_at = time.monotonic()

        start("beat", "--loglevel=INFO", "--schedule", str(tmp_path / "beat-schedule"), log="beat.log")
        start("worker", "--pool=solo", "-n", "second@%h", "--loglevel=INFO", log="second.log")

        def finished():
            row = Export.objects.get(pk=export.pk)
            return row if row.status in ("done", "failed") else None

        ended = wait_for(finished, timeout=60, interval=0.2)
        took = time.monotonic() - killed_at
    finally:
        for process in started:
            process.stop()

    logs = {path.name: path.read_text(errors="replace")[-3000:] for path in tmp_path.glob("*.log")}
    files = [path for path in media.rglob("*") if path.is_file()]
    assert ended.lease_expires_at is None
    if max_attempts == 1:
        assert (ended.status, ended.attempts, files) == ("failed", 1, []), logs
        assert ended.error.startswith("Its worker stopped (not heard from since") and ended.error.endswith(
            "on attempt 1 of 1; not tried again."
        )
        print(f"killed mid-export; failed with the reason {took:.1f}s later")
        return
    assert (ended.status, ended.progress, ended.error, ended.attempts) == ("done", 100, "", 2), logs
    assert [path.name for path in files] == [exports.file_name(ended)]
    assert ended.file.open("rb").read(5) == b"%PDF-"
    print(f"killed mid-export; done by the second worker {took:.1f}s later")

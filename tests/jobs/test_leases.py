"""Leases on job rows (core/leases.py): a job whose worker died is sent again, or failed with
the reason once its attempts are spent; live jobs are left alone; sweeping is idempotent and safe with
two sweepers; a job run twice makes one file. The real thing, a worker process killed with SIGKILL
in the middle of a handbook export, is in test_killed_worker.py."""

import datetime
import io
import threading
import uuid

import pytest
from django.db import connections, transaction
from django.utils import timezone

from composition import exports
from core import leases, webhooks
from core.models import Export, OutboxMessage, WebhookDelivery
from tests import factories
from tests.jobs.scenario import scenario

AGO = datetime.timedelta(minutes=5)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_MAX_ATTEMPTS = 3
    return tmp_path


def requested(kind="popolo_json") -> Export:
    partnership = factories.PartnershipFactory(name=f"Leased {uuid.uuid4().hex[:6]}")
    factories.BodyFactory(partnership=partnership, name="Leased Board")
    return exports.export_request(kind=kind, partnership=partnership)


def claimed_then_abandoned(export: Export, attempts: int = 1) -> Export:
    """A worker claimed the export (its `attempts`-th attempt) and died: its lease ran out 5 minutes ago."""
    Export.objects.filter(pk=export.pk).update(attempts=attempts - 1)
    _, holder = leases.job_claim(Export, pk=export.pk, values={"status": "running", "progress": 40})
    Export.objects.filter(pk=export.pk).update(lease_expires_at=timezone.now() - AGO)
    export.refresh_from_db()
    assert (export.status, export.lease_holder, export.attempts) == ("running", holder, attempts)
    return export


def run_export_messages(export: Export) -> int:
    return OutboxMessage.objects.filter(
        task="composition.tasks.run_export", kwargs={"export_id": export.pk}
    ).count()


@pytest.mark.django_db
def test_an_export_whose_lease_expired_is_queued_again_and_its_next_attempt_counts():
    export = claimed_then_abandoned(requested())

    sweep = leases.sweep_expired_leases()

    export.refresh_from_db()
    assert (sweep.requeued, sweep.failed) == (1, 0)
    assert (export.status, export.progress, export.attempts, export.lease_holder) == ("queued", 0, 1, None)
    assert (
        export.error.startswith("Its worker stopped (not heard from since") and "on attempt 1" in export.error
    )
    assert export.lease_expires_at > timezone.now()  # the queued export has a fresh lease
    assert run_export_messages(export) == 2  # the request's message, and the sweep's

    done = exports.export_run(export_id=export.pk)
    assert (done.status, done.attempts, done.error, done.lease_expires_at) == ("done", 2, "", None)


@pytest.mark.django_db
def test_an_export_whose_attempts_are_spent_is_failed_with_the_reason():
    export = claimed_then_abandoned(requested(), attempts=3)

    sweep = leases.sweep_expired_leases()

    export.refresh_from_db()
    assert (sweep.requeued, sweep.failed) == (0, 1)
    assert (export.status, export.attempts, export.lease_expires_at) == ("failed", 3, None)
    assert "on attempt 3 of 3; not tried again" in export.error and export.finished_at is not None
    assert run_export_messages(export) == 1  # not sent again
    assert exports.export_run(export_id=export.pk).status == "failed"  # a late message changes nothing


@pytest.mark.django_db
def test_live_leases_finished_jobs_and_a_second_sweep_are_left_alone():
    running = requested()
    leases.job_claim(Export, pk=running.pk, values={"status": "running"})
    waiting = requested()  # queued, within its time in the queue
    finished = exports.export_run(export_id=requested().pk)
    Export.objects.filter(pk=finished.pk).update(lease_expires_at=timezone.now() - AGO)  # ignored: done
    abandoned = claimed_then_abandoned(requested())
    before = {e.pk: (e.status, e.revision, e.lease_expires_at) for e in Export.objects.all()}

    first = leases.sweep_expired_leases()
    after_first = {e.pk: (e.status, e.revision, e.lease_expires_at) for e in Export.objects.all()}
    second = leases.sweep_expired_leases()

    assert (first.requeued, first.failed) == (1, 0)
    assert {pk for pk in before if before[pk] != after_first[pk]} == {abandoned.pk}
    assert (second.requeued, second.failed) == (0, 0)
    assert after_first == {e.pk: (e.status, e.revision, e.lease_expires_at) for e in Export.objects.all()}
    assert run_export_messages(abandoned) == 2
    assert {run_export_messages(e) for e in (running, waiting, finished)} == {1}


@pytest.mark.django_db
def test_a_queued_export_whose_message_was_lost_is_sent_again_without_counting_an_attempt():
    export = requested()
    Export.objects.filter(pk=export.pk).update(lease_expires_at=timezone.now() - AGO)

    assert leases.sweep_expired_leases().requeued == 1

    export.refresh_from_db()
    assert (export.status, export.attempts) == ("queued", 0)
    assert export.error.startswith("Not started by") and run_export_messages(export) == 2


@pytest.mark.django_db
def test_a_row_from_before_leases_has_none_and_is_swept_at_once():
    export = requested()
    Export.objects.filter(pk=export.pk).update(status="running", lease_expires_at=None)

    assert leases.sweep_expired_leases().requeued == 1
    assert Export.objects.get(pk=export.pk).status == "queued"


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_never_take_the_same_row():
    """A row locked by another sweeper (SKIP LOCKED) is left to it; the rest are swept once."""
    locked, free = claimed_then_abandoned(requested()), claimed_then_abandoned(requested())
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_sweeper():
        with transaction.atomic():
            list(Export.objects.select_for_update().filter(pk=locked.pk))
            holding.set()
            release.wait(10)
        connections.close_all()
        done.set()

    thread = threading.Thread(target=other_sweeper)
    thread.start()
    assert holding.wait(10)
    try:
        sweep = leases.sweep_expired_leases()
    finally:
        release.set()
        thread.join(10)

    assert (sweep.requeued, sweep.failed) == (1, 0)
    assert Export.objects.get(pk=free.pk).status == "queued"
    assert Export.objects.get(pk=locked.pk).status == "running"
    assert leases.sweep_expired_leases().requeued == 1  # once the lock is gone, the other row's turn
    assert Export.objects.get(pk=locked.pk).status == "queued"
    assert (run_export_messages(locked), run_export_messages(free)) == (2, 2)


@pytest.mark.django_db
def test_a_slow_worker_that_lost_its_lease_stops_at_its_next_progress_report():
    export = claimed_then_abandoned(requested())
    first_holder = export.lease_holder
    leases.sweep_expired_leases()
    leases.job_claim(Export, pk=export.pk, values={"status": "running"})  # a second worker took it

    with pytest.raises(leases.LeaseLost):
        exports.Progress(export.pk, first_holder).report(50)
    assert Export.objects.get(pk=export.pk).progress == 0  # the second worker's progress, untouched


@pytest.mark.django_db
def test_an_export_made_twice_keeps_one_file(media, monkeypatch):
    """The first worker was only slow: the sweep gave the export to a second worker, which finished
    first. The first then finishes too, and keeps the second's file instead of writing its own."""
    export = requested()
    real_build = exports.BUILDERS[Export.Kind.POPOLO_JSON]
    made = []

    def build(partnership, on, out, progress):
        real_build(partnership, on, out, progress)
        made.append(progress.holder)
        if len(made) == 1:  # the first worker, past its last progress report, is overtaken
            Export.objects.filter(pk=export.pk).update(lease_expires_at=timezone.now() - AGO)
            leases.sweep_expired_leases()
            exports.export_run(export_id=export.pk)

    monkeypatch.setitem(exports.BUILDERS, Export.Kind.POPOLO_JSON, build)
    first = exports.export_run(export_id=export.pk)

    files = [path for path in media.rglob("*") if path.is_file()]
    assert len(made) == 2 and made[0] != made[1]
    assert (first.status, first.attempts) == ("done", 2)
    assert [path.name for path in files] == [first.file.name.rsplit("/", 1)[-1]]


@pytest.mark.django_db
def test_a_failed_attempt_is_queued_for_its_retry_and_the_last_one_fails_with_the_reason(monkeypatch):
    export = requested()

    def broken(partnership, on, out, progress):
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(exports.BUILDERS, Export.Kind.POPOLO_JSON, broken)
    with pytest.raises(leases.RetryLater):
        exports.export_run(export_id=export.pk, retry_in=60)
    export.refresh_from_db()
    assert (export.status, export.attempts, export.error) == ("queued", 1, "RuntimeError: the disk is full")
    # the lease covers the countdown: the sweep resends it only if the retry is lost with its worker
    assert export.lease_expires_at > timezone.now() + datetime.timedelta(seconds=60)
    assert leases.sweep_expired_leases().requeued == 0

    Export.objects.filter(pk=export.pk).update(attempts=2)
    failed = exports.export_run(export_id=export.pk, retry_in=60)
    assert (failed.status, failed.attempts, failed.error) == ("failed", 3, "RuntimeError: the disk is full")


@pytest.mark.django_db
def test_a_webhook_delivery_whose_retry_was_lost_is_sent_again(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    world = scenario(webhook_url="http://127.0.0.1:9/refused")
    webhooks.event_emit(
        event_type="decision.recorded",
        record=world.partnership,
        partnership_id=world.partnership.pk,
        data={"id": 1},
    )
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(webhooks.DeliveryFailed):
        webhooks.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    due = timezone.now() + datetime.timedelta(seconds=30 + settings.JOB_LEASE_SECONDS)
    assert delivery.status == "pending" and abs((delivery.lease_expires_at - due).total_seconds()) < 5
    assert leases.sweep_expired_leases().requeued == 0  # its retry is not due yet

    WebhookDelivery.objects.filter(pk=delivery.pk).update(lease_expires_at=timezone.now() - AGO)
    assert leases.sweep_expired_leases().requeued == 1
    assert (
        OutboxMessage.objects.filter(
            task="core.tasks.deliver_webhook", kwargs={"delivery_id": delivery.pk}
        ).count()
        == 2
    )
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == "pending"


@pytest.mark.django_db
def test_laying_out_the_handbook_keeps_reporting_so_its_lease_is_renewed(settings):
    """The layout comes after the last step's report; a large handbook must not look like a dead worker."""
    from composition.handbook import handbook_write

    settings.JOB_LEASE_SECONDS = 0  # report after every flowable laid out
    export = requested(kind="handbook_pdf")
    reports = []

    handbook_write(export.partnership, export.as_at, io.BytesIO(), progress=reports.append)

    assert reports.count(95) > 5


@pytest.mark.django_db
def test_a_message_for_a_job_that_no_longer_exists_is_dropped_not_retried(caplog):
    """A pack whose meeting was deleted after it was queued (or a message left in a shared broker by
    another database): the task finds nothing to do, says so, and raises nothing for Celery to retry."""
    from meetings import tasks as meeting_tasks

    gone = requested()
    pk = gone.pk
    gone.delete()
    assert exports.export_run(export_id=pk) is None
    assert f"{Export._meta.label} pk={pk} no longer exists" in caplog.text
    meeting_tasks.make_pack.apply(kwargs={"pack_id": 987_654_321}).get()  # no exception, no retry
    assert "meetings.AgendaPack pk=987654321 no longer exists" in caplog.text

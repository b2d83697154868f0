"""Leases on job rows, so that no job stays "running" (or "queued") for ever after its worker dies.

A row that stands for background work (an export, a webhook delivery) carries a lease: the time by
which someone must have heard from the work again. A worker that starts a long job claims it
(`job_claim`: attempts + 1, a fresh holder id, the lease renewed) and renews the lease as it goes
(`job_heartbeat`, from the progress reports). A row waiting for a worker gets a lease too, as long as
a message may reasonably wait in the queue. Beat runs `sweep_expired_leases` every
`LEASE_SWEEP_SECONDS`: an unfinished row whose lease has expired lost its worker or its message; it
is sent again through the outbox, or, once its attempts are spent, failed with the reason.

The broker cannot do this for us: a message taken by a worker that is killed stays invisible for the
visibility timeout (6 h), and a countdown held by a dead worker comes back only then.

Rows are swept under `SELECT … FOR UPDATE SKIP LOCKED`, so two sweepers never handle one row, and a
row locked by the work itself (a webhook being POSTed) is left alone. A re-sent job may run twice
(the first worker was only slow): the jobs are idempotent, and a worker whose lease was taken over
stops at its next heartbeat (`LeaseLost`).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass
from typing import ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)


def queue_deadline() -> datetime.datetime:
    """How long a new job may wait for a worker before the sweep sends it again."""
    return timezone.now() + datetime.timedelta(seconds=settings.JOB_QUEUED_SECONDS)


def lease_until(seconds: float | None = None) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(
        seconds=settings.JOB_LEASE_SECONDS if seconds is None else seconds
    )


class Leased(models.Model):
    """A job row with a lease. Subclasses say which task runs them and what "unfinished",
    "queued again" and "failed" mean for them."""

    job_task: ClassVar[str]  # the Celery task that does the work, called with job_id_kwarg=pk
    job_id_kwarg: ClassVar[str]

    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        default=queue_deadline,
        help_text="Unfinished and not heard from by then: the sweep sends it again (or fails it).",
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When its worker was last heard from."
    )
    lease_holder = models.UUIDField(
        null=True, blank=True, editable=False, help_text="The attempt that holds the lease."
    )

    class Meta:
        abstract = True

    @classmethod
    def job_max_attempts(cls) -> int:
        raise NotImplementedError

    @classmethod
    def job_unfinished(cls) -> Q:
        """The rows some worker still owes work on."""
        raise NotImplementedError

    def job_requeued(self, reason: str) -> dict:
        """Field values for a row sent to the queue again."""
        raise NotImplementedError

    def job_failed(self, reason: str) -> dict:
        """Field values for a row given up on, with the reason."""
        raise NotImplementedError


class LeaseLost(Exception):
    """The job's lease was taken over (the sweep thought its worker dead): stop, someone else has it."""


LEASE_CLEARED = {"lease_expires_at": None, "lease_holder": None}


def job_claim(model: type[Leased], *, pk: int, values: dict) -> tuple[Leased, uuid.UUID] | None:
    """Start an attempt at the job: None when it is finished or a live worker holds it. Otherwise
    counts the attempt, takes the lease and sets `values` (e.g. the status "running")."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(model.job_unfinished(), pk=pk).first()
        now = timezone.now()
        if job is None or (
            job.lease_holder is not None and job.lease_expires_at is not None and job.lease_expires_at > now
        ):
            return None
        holder = uuid.uuid4()
        changes = {
            "attempts": job.attempts + 1,
            "lease_holder": holder,
            "heartbeat_at": now,
            "lease_expires_at": lease_until(),
            **values,
        }
        for field, value in changes.items():
            setattr(job, field, value)
        job.save(update_fields=list(changes))
    return job, holder


def job_heartbeat(model: type[Leased], *, pk: int, holder: uuid.UUID, **values) -> None:
    """Renew the lease (one UPDATE, which also stores `values`, e.g. the progress).
    Raises LeaseLost when this attempt no longer holds it."""
    now = timezone.now()
    renewed = model.objects.filter(pk=pk, lease_holder=holder).update(
        heartbeat_at=now, lease_expires_at=lease_until(), **values
    )
    if not renewed:
        raise LeaseLost(f"{model._meta.label} {pk}")


def job_attempt_failed(
    model: type[Leased], *, pk: int, holder: uuid.UUID, error: str, retry_in: float | None
) -> bool:
    """An attempt raised: queue it again to run in `retry_in` seconds (the task retries it; the lease
    covers the wait, so a countdown lost with its worker is sent again by the sweep), or, with no
    retry (eager) or the attempts spent, fail it. Returns whether it will be retried."""
    with transaction.atomic():
        job = (
            model.objects.select_for_update()
            .filter(model.job_unfinished(), pk=pk, lease_holder=holder)
            .first()
        )
        if job is None:
            return False  # finished or taken over meanwhile: whoever holds it now decides
        retry = retry_in is not None and job.attempts < model.job_max_attempts()
        if retry:
            changes = {
                **job.job_requeued(error),
                "lease_holder": None,
                "lease_expires_at": lease_until(retry_in + settings.JOB_LEASE_SECONDS),
            }
        else:
            changes = {**job.job_failed(error), **LEASE_CLEARED}
        model.objects.filter(pk=pk).update(**changes)
    return retry


class RetryLater(Exception):
    """An attempt failed and the job is queued again: the task retries it after the countdown."""


def job_run(
    model: type[Leased], *, pk: int, values: dict, make, retry_in: float | None = None
) -> Leased | None:
    """One attempt at a leased job (an export, an agenda pack): claim it with `values`, then
    `make(job, holder)`. Idempotent: a finished job, or one a live worker holds, is returned as it is.
    If the attempt raises, the job is queued again to be retried in `retry_in` seconds (RetryLater is
    raised) or, with no retry or its attempts spent, failed with the reason. A job that no longer
    exists (its meeting deleted since it was queued) is nothing to do: None, logged, never retried."""
    claimed = job_claim(model, pk=pk, values=values)
    if claimed is None:
        job = model.objects.filter(pk=pk).first()
        if job is None:
            log.warning("%s pk=%s no longer exists: nothing to do", model._meta.label, pk)
        return job
    job, holder = claimed
    try:
        return make(job, holder)
    except LeaseLost:
        raise
    except Exception as error:
        if job_attempt_failed(
            model, pk=pk, holder=holder, error=f"{type(error).__name__}: {error}", retry_in=retry_in
        ):
            raise RetryLater(error) from error
        log.exception("%s failed for good pk=%s", model._meta.label, pk)
        return model.objects.get(pk=pk)


@dataclass(frozen=True)
class Sweep:
    requeued: int = 0
    failed: int = 0


def leased_models() -> list[type[Leased]]:
    return [model for model in apps.get_models() if issubclass(model, Leased)]


def sweep_expired_leases(*, now: datetime.datetime | None = None, limit: int = 200) -> Sweep:
    """Send again every unfinished job whose lease expired (or fail it, its attempts spent)."""
    from core import outbox  # the outbox's model module imports this one

    now = now or timezone.now()
    requeued = failed = 0
    for model in leased_models():
        with transaction.atomic():
            expired = (
                model.objects.select_for_update(skip_locked=True)
                .filter(model.job_unfinished())
                .filter(Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True))
                .order_by("pk")[:limit]
            )
            for job in expired:
                heard = job.heartbeat_at or job.lease_expires_at
                since = f" since {timezone.localtime(heard):%d %b %Y %H:%M:%S}" if heard else ""
                if job.attempts >= model.job_max_attempts():
                    reason = (
                        f"Its worker stopped (not heard from{since}) on attempt {job.attempts} of "
                        f"{model.job_max_attempts()}; not tried again."
                    )
                    model.objects.filter(pk=job.pk).update(**job.job_failed(reason), **LEASE_CLEARED)
                    failed += 1
                    log.error("job given up model=%s id=%s reason=%s", model._meta.label, job.pk, reason)
                    continue
                if job.lease_holder is None:  # waiting: its message (or its retry's countdown) was lost
                    reason = f"Not started{since.replace(' since', ' by')}; sent to the queue again."
                else:
                    reason = (
                        f"Its worker stopped (not heard from{since}) on attempt {job.attempts}; queued again."
                    )
                model.objects.filter(pk=job.pk).update(
                    **job.job_requeued(reason), lease_holder=None, lease_expires_at=queue_deadline()
                )
                outbox.enqueue(model.job_task, **{model.job_id_kwarg: job.pk})
                requeued += 1
                log.warning("job queued again model=%s id=%s reason=%s", model._meta.label, job.pk, reason)
    return Sweep(requeued=requeued, failed=failed)

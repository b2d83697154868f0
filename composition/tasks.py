"""Celery tasks that span the domain apps: exports and the nightly check runs."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings

from bodies.models import Partnership
from composition import exports
from composition.checkruns import check_run_record
from core import outbox
from core.effective_dating import today
from core.tasks import retry_or_record


@shared_task(bind=True, name="composition.tasks.run_export", max_retries=3)
def run_export(self, export_id: int) -> None:
    try:
        exports.export_run(export_id=export_id)
    except Exception as error:
        exports.export_attempt_failed(export_id=export_id, error=f"{type(error).__name__}: {error}")
        retry_or_record(self, error, lambda text: exports.export_failed(export_id=export_id, error=text))


@shared_task(name="composition.tasks.run_nightly_checks")
def run_nightly_checks() -> int:
    """Queue one check run per partnership (each a task of its own, retried on its own)."""
    on = today().isoformat()
    ids = list(Partnership.objects.order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        outbox.enqueue("composition.tasks.run_partnership_checks", partnership_id=pk, on=on)
    return len(ids)


@shared_task(
    name="composition.tasks.run_partnership_checks",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=settings.TASK_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=3,
)
def run_partnership_checks(partnership_id: int, on: str) -> int:
    """Idempotent: a second run on the same day replaces that day's results."""
    run = check_run_record(partnership_id=partnership_id, on=datetime.date.fromisoformat(on))
    return len(run.scheme_defects) + len(run.data_quality)

"""Nightly scheme checks and data-quality checks, one task per partnership (beat: CELERY_BEAT_SCHEDULE)."""

import datetime

from celery import shared_task
from django.conf import settings

from bodies.models import Partnership
from stp_governance import outbox
from stp_governance.checkruns import check_run_record
from stp_governance.effective_dating import today


@shared_task(name="delegation.tasks.run_nightly_checks")
def run_nightly_checks() -> int:
    """Queue one check run per partnership (each a task of its own, retried on its own)."""
    on = today().isoformat()
    ids = list(Partnership.objects.order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        outbox.enqueue("delegation.tasks.run_partnership_checks", partnership_id=pk, on=on)
    return len(ids)


@shared_task(
    name="delegation.tasks.run_partnership_checks",
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

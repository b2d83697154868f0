"""Celery tasks that span the domain apps: exports and the nightly check runs."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings

from bodies.models import Partnership
from composition import exports
from composition.checkruns import check_run_record
from core import leases, outbox
from core.effective_dating import today
from core.tasks import backoff

log = logging.getLogger(__name__)


@shared_task(bind=True, name="composition.tasks.run_export", max_retries=None)
def run_export(self, export_id: int) -> None:
    """Attempts are counted on the export (EXPORT_MAX_ATTEMPTS), not by Celery: a worker killed
    midway leaves no retry behind, and the lease sweep sends the export again."""
    retry_in = None if self.request.is_eager else backoff(self.request.retries)
    try:
        exports.export_run(export_id=export_id, retry_in=retry_in)
    except leases.RetryLater as later:
        raise self.retry(exc=later.__cause__, countdown=retry_in) from None
    except leases.LeaseLost:
        log.warning("export taken over by another worker export=%s", export_id)


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

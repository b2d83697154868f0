"""The meeting cycle's background work: making agenda packs."""

from __future__ import annotations

import logging

from celery import shared_task

from core import leases
from core.tasks import backoff
from meetings import packs

log = logging.getLogger(__name__)


@shared_task(bind=True, name="meetings.tasks.make_pack", max_retries=None)
def make_pack(self, pack_id: int) -> None:
    """Attempts are counted on the pack (core/leases.py), as for exports."""
    retry_in = None if self.request.is_eager else backoff(self.request.retries)
    try:
        packs.pack_run(pack_id=pack_id, retry_in=retry_in)
    except leases.RetryLater as later:
        raise self.retry(exc=later.__cause__, countdown=retry_in) from None
    except leases.LeaseLost:
        log.warning("pack taken over by another worker pack=%s", pack_id)


@shared_task(name="meetings.tasks.send_notice", autoretry_for=(Exception,), retry_backoff=5, max_retries=3)
def send_notice(notice_id: int) -> int:
    from meetings.notices import notice_emails

    return notice_emails(notice_id=notice_id)

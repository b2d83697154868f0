"""Celery tasks of the platform: the outbox dispatcher, the daily reminders, notification emails and webhooks.

Every task takes ids (never objects), calls a service function and is idempotent, so a message
delivered twice does no harm. Failures are retried with exponential backoff up to a cap
(`TASK_RETRY_BACKOFF_MAX`, shorter than the broker's visibility timeout); the last failure is
recorded on the record concerned (the export, the delivery, the notifications).
"""

from __future__ import annotations

import datetime
import logging
import random

from celery import shared_task
from django.conf import settings

from core import accounts, invitations, leases, notifications, outbox, registry, webhooks
from core.effective_dating import today

log = logging.getLogger(__name__)
MAX_RETRIES = 5


def backoff(retries: int, base: float = 5.0, cap: float | None = None) -> float:
    """Exponential backoff with jitter: base, 2 base, 4 base …, never more than the cap."""
    cap = settings.TASK_RETRY_BACKOFF_MAX if cap is None else cap
    return min(cap, base * 2**retries) * random.uniform(0.8, 1.0)


def retry_or_record(task, error: Exception, record) -> None:
    """Retry the task later; after the last retry (or at once when running eagerly, without a broker
    to hold the countdown), record the failure and give up."""
    if task.request.is_eager or task.request.retries >= task.max_retries:
        record(f"{type(error).__name__}: {error}")
        log.error("task failed for good task=%s id=%s error=%s", task.name, task.request.id, error)
        return
    raise task.retry(exc=error, countdown=backoff(task.request.retries))


@shared_task(name="core.tasks.dispatch_outbox")
def dispatch_outbox() -> int:
    """Publish what the outbox holds (beat runs this every few seconds)."""
    return outbox.dispatch()


@shared_task(name="core.tasks.send_daily_reminders")
def send_daily_reminders() -> int:
    """The day's reminders of every register, stored and then emailed together (one email per
    recipient: separate runs per register would each have emailed what they had found)."""
    on = today()
    return notifications.reminders_send(
        [reminder for find in registry.daily_reminders for reminder in find(on)], day=on
    )


@shared_task(bind=True, name="core.tasks.send_notification_email", max_retries=MAX_RETRIES)
def send_notification_email(self, recipient: str, day: str) -> int:
    on = datetime.date.fromisoformat(day)
    try:
        return notifications.notification_email_send(recipient=recipient, day=on)
    except Exception as error:
        retry_or_record(
            self,
            error,
            lambda text: notifications.notification_email_failed(recipient=recipient, day=on, error=text),
        )
        return 0


@shared_task(bind=True, name="core.tasks.send_password_reset_email", max_retries=MAX_RETRIES)
def send_password_reset_email(self, email: str) -> int:
    try:
        return accounts.password_reset_send(email=email, request_id=self.request.id or "")
    except Exception as error:
        retry_or_record(self, error, lambda text: None)  # the log says why; the user can ask again
        return 0


@shared_task(name="core.tasks.sweep_expired_leases")
def sweep_expired_leases() -> dict:
    """Send again (or fail) every job whose worker has not been heard from (beat, every few seconds)."""
    sweep = leases.sweep_expired_leases()
    return {"requeued": sweep.requeued, "failed": sweep.failed}


@shared_task(bind=True, name="core.tasks.deliver_webhook", max_retries=settings.WEBHOOK_MAX_ATTEMPTS - 1)
def deliver_webhook(self, delivery_id: int) -> None:
    # Running eagerly (no broker), a retry would block the request: one attempt, then the log says why.
    final = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        webhooks.webhook_deliver(delivery_id=delivery_id, final=final)
    except webhooks.DeliveryFailed as error:
        raise self.retry(exc=error, countdown=webhooks.retry_countdown(self.request.retries + 1)) from None


@shared_task(bind=True, name="core.tasks.send_invitation_email", max_retries=MAX_RETRIES)
def send_invitation_email(self, invitation_id: int, generation: int) -> bool:
    try:
        return invitations.invitation_email_send(invitation_id=invitation_id, generation=generation)
    except Exception as error:
        retry_or_record(
            self,
            error,
            lambda text: invitations.invitation_email_failed(invitation_id=invitation_id, error=text),
        )
        return False

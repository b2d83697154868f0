"""The transactional outbox: background work is enqueued only once the change that causes it commits.

`enqueue()` writes an `OutboxMessage` in the caller's transaction and, after commit, tries to publish
it at once. `dispatch()` publishes whatever is still waiting; beat runs it every few seconds
(`core.tasks.dispatch_outbox`). When the broker is down a publish fails fast (short socket
timeouts, no publish retries), the row stays in the outbox with the error, and the request carries
on: nothing hangs and nothing is lost. A message may be published twice (a crash between publish
and marking it sent), so every task is idempotent.
"""

from __future__ import annotations

import logging
import time
from functools import partial

from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage

log = logging.getLogger(__name__)

# After a failed publish, requests skip their immediate attempt for this long (beat keeps trying).
BROKER_DOWN_PAUSE_SECONDS = 10.0
_broker_down_until = 0.0


def enqueue(task: str, **kwargs) -> OutboxMessage:
    """Record `task(**kwargs)` to run after the current transaction commits (ids only, JSON-safe)."""
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    transaction.on_commit(partial(_dispatch_after_commit, message.pk), robust=True)
    return message


def _dispatch_after_commit(message_id: int) -> None:
    if time.monotonic() < _broker_down_until:
        return  # the broker failed a moment ago: leave it to the dispatcher rather than wait again
    dispatch(ids=[message_id])


def dispatch(*, ids: list[int] | None = None, limit: int = 500) -> int:
    """Publish waiting messages, oldest first; returns how many were sent.

    Rows are locked with SKIP LOCKED, so concurrent dispatchers never send the same row at once.
    The first publish failure stops the round (the broker is down: the rest would fail too).
    """
    global _broker_down_until
    sent = 0
    with transaction.atomic():
        waiting = OutboxMessage.objects.select_for_update(skip_locked=True).filter(dispatched_at__isnull=True)
        if ids is not None:
            waiting = waiting.filter(pk__in=ids)
        for message in waiting.order_by("id")[:limit]:
            try:
                publish(message)
            except Exception as error:  # the broker's errors vary by transport; all mean "not sent"
                _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE_SECONDS
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=message.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
                )
                log.warning(
                    "outbox publish failed message=%s task=%s error=%s", message.pk, message.task, error
                )
                break
            OutboxMessage.objects.filter(pk=message.pk).update(
                dispatched_at=timezone.now(), attempts=message.attempts + 1, last_error=""
            )
            sent += 1
    if sent:
        _broker_down_until = 0.0
    return sent


def publish(message: OutboxMessage) -> None:
    """Send one message to the broker (or run it at once when tasks run eagerly), with no retries."""
    from celery import current_app as app

    if message.task not in app.tasks:
        app.loader.import_default_modules()  # the web process imports task modules only when needed
    task = app.tasks[message.task]
    task.apply_async(kwargs=message.kwargs, task_id=f"outbox-{message.pk}", retry=False, ignore_result=True)

"""Reminders and notifications: who receives them, storing them once, and the daily email digest.

A reminder names what it is about (`subject_key`, e.g. `tor-review:12`) and its recipients. Each
(recipient, subject_key, day) is one `Notification` row, unique in the database, so running a job
twice on a day changes nothing. Each recipient with an email address then gets one email listing
the day's notifications not yet emailed (`notification_email_send`, run by a task), marked as sent
under a row lock, so no reminder is emailed twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import outbox
from core.models import Notification


@dataclass(frozen=True)
class Recipient:
    key: str  # the email address in lower case, or user:<id> for a user without one
    email: str = ""
    user_id: int | None = None
    name: str = ""


@dataclass
class Reminder:
    subject_key: str
    subject: str
    body: str
    url: str = ""
    partnership_id: int | None = None
    recipients: list[Recipient] = field(default_factory=list)


def recipient_by_email(email: str, name: str = "", user_id: int | None = None) -> Recipient | None:
    email = (email or "").strip().lower()
    return Recipient(key=email, email=email, user_id=user_id, name=name) if email else None


def unique_recipients(*groups: Iterable[Recipient | None]) -> list[Recipient]:
    """Recipients in order, each once (a secretariat user who is also the chair gets one notification)."""
    seen: dict[str, Recipient] = {}
    for group in groups:
        for recipient in group:
            if recipient is None:
                continue
            known = seen.get(recipient.key)
            if known is None or (known.user_id is None and recipient.user_id is not None):
                seen[recipient.key] = recipient
    return list(seen.values())


def person_recipient(email: str, name: str = "") -> Recipient | None:
    return recipient_by_email(email, name)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


# -- storing and sending ------------------------------------------------------------------------
@transaction.atomic
def reminders_send(reminders: Iterable[Reminder], *, day: datetime.date) -> int:
    """Store each reminder once per recipient and day, and enqueue the day's email to each recipient.

    Returns how many notifications were new. Idempotent: a second run on the same day adds none and
    emails nothing again (the rows already exist; the email task sends only rows not yet emailed).
    """
    rows = [
        Notification(
            recipient=recipient.key,
            user_id=recipient.user_id,
            partnership_id=reminder.partnership_id,
            subject_key=reminder.subject_key,
            day=day,
            subject=reminder.subject[:300],
            body=reminder.body,
            url=reminder.url,
        )
        for reminder in reminders
        for recipient in reminder.recipients
    ]
    if not rows:
        return 0
    before = Notification.objects.filter(day=day).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    created = Notification.objects.filter(day=day).count() - before
    waiting = (
        Notification.objects.filter(day=day, emailed_at__isnull=True, recipient__contains="@")
        .values_list("recipient", flat=True)
        .distinct()
        .order_by("recipient")
    )
    for recipient in waiting:
        outbox.enqueue("core.tasks.send_notification_email", recipient=recipient, day=day.isoformat())
    return created


def notification_email_send(*, recipient: str, day: datetime.date) -> int:
    """Email `recipient` the day's notifications not yet emailed, as one message; returns how many.

    The rows are locked (SKIP LOCKED) and marked in the same transaction as the send, so two workers
    running this at once cannot both send them.
    """
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient=recipient, day=day, emailed_at__isnull=True)
            .order_by("subject_key", "id")
        )
        if not rows:
            return 0
        if len(rows) == 1:
            subject = rows[0].subject
        else:
            subject = f"{len(rows)} governance reminders for {day:%-d %B %Y}"
        lines = [f"Reminders from the STP Governance Registry for {day:%-d %B %Y}:", ""]
        for row in rows:
            lines.append(f"- {row.subject}")
            if row.body:
                lines.append(f"  {row.body}")
            if row.url:
                lines.append(f"  {absolute(row.url)}")
        lines += ["", f"Your notifications: {absolute('/notifications/')}"]
        send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [recipient])
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            emailed_at=timezone.now(), email_error=""
        )
    return len(rows)


def notifications_for(user, *, limit: int = 100):
    """A user's notifications: those addressed to their account or to their email address."""
    condition = Q(user=user)
    if user.email:
        condition |= Q(recipient=user.email.strip().lower())
    return Notification.objects.filter(condition).order_by("-day", "-id")[:limit]


def notification_email_failed(*, recipient: str, day: datetime.date, error: str) -> None:
    """Record why the day's email to `recipient` could not be sent (they stay listed in the app)."""
    Notification.objects.filter(recipient=recipient, day=day, emailed_at__isnull=True).update(
        email_error=error[:2000]
    )

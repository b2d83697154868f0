"""Reminders about bodies: terms of reference due for review (within the window) or overdue."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse

from bodies.models import Body, TermsOfReference
from bodies.recipients import body_recipients
from core.notifications import Reminder


def terms_of_reference_reminders(on: datetime.date) -> list[Reminder]:
    """The approved terms of reference in force whose next review is due within the window or has
    passed, for the body's secretariat and chair."""
    window = on + datetime.timedelta(days=settings.REMINDER_REVIEW_WINDOW_DAYS)
    terms = list(
        TermsOfReference.objects.review_due_before(on, window + datetime.timedelta(days=1))
        .filter(body__partnership__isnull=False, body__in=Body.objects.in_force(on))
        .select_related("body")
        .order_by("next_review_due", "pk")
    )
    recipients = body_recipients((t.body for t in terms), on)
    reminders = []
    for terms_of_reference in terms:
        body, due = terms_of_reference.body, terms_of_reference.next_review_due
        if due < on:
            subject = f"{body.name}: terms of reference overdue for review (due {due:%-d %B %Y})"
        else:
            subject = f"{body.name}: terms of reference due for review on {due:%-d %B %Y}"
        reminders.append(
            Reminder(
                subject_key=f"tor-review:{terms_of_reference.pk}",
                subject=subject,
                body=f"Version {terms_of_reference.version} is in force; review it and approve a new version.",
                url=reverse("body-detail", args=[body.pk]),
                partnership_id=body.partnership_id,
                recipients=recipients.get(body.pk, []),
            )
        )
    return reminders

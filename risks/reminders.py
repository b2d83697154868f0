"""Reminders about risks: risks overdue for review and escalations not yet answered."""

from __future__ import annotations

import datetime

from django.urls import reverse

from bodies.recipients import body_recipients
from core.notifications import Reminder, person_recipient, unique_recipients
from risks.queries import escalated_awaiting_response, overdue_for_review


def risk_review_reminders(on: datetime.date) -> list[Reminder]:
    """Open risks overdue for review, for their owner and the holding body's secretariat and chair."""
    risks = list(overdue_for_review(on=on))
    recipients = body_recipients((r.register.body for r in risks if r.register.body_id), on)
    return [
        Reminder(
            subject_key=f"risk-review-overdue:{risk.pk}",
            subject=f"Risk {risk.reference} overdue for review (due {risk.next_review_due:%-d %B %Y})",
            body=risk.title,
            url=reverse("risk-detail", args=[risk.pk]),
            partnership_id=risk.partnership_id,
            recipients=unique_recipients(
                [person_recipient(risk.owner.email, risk.owner.name) if risk.owner_id else None],
                recipients.get(risk.register.body_id, []),
            ),
        )
        for risk in risks
    ]


def escalation_reminders(on: datetime.date) -> list[Reminder]:
    """Escalations not yet answered, for the receiving body's secretariat and chair."""
    escalations = list(escalated_awaiting_response())
    recipients = body_recipients((e.to_body for e in escalations), on)
    return [
        Reminder(
            subject_key=f"escalation-unanswered:{escalation.pk}",
            subject=f"{escalation.to_body.name}: risk {escalation.risk.reference} escalated on "
            f"{escalation.escalated_on:%-d %B %Y} awaits an answer",
            body=escalation.reason,
            url=reverse("edit-risk-escalation-respond", args=[escalation.pk]),
            partnership_id=escalation.risk.partnership_id,
            recipients=recipients.get(escalation.to_body_id, []),
        )
        for escalation in escalations
    ]

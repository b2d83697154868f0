"""Reminders about decisions: ratifications past their due date, urgent decisions not yet reported,
and meetings whose notice is due but not recorded as given."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse

from bodies.recipients import body_recipients, organisation_contacts
from core import access
from core.notifications import Reminder, unique_recipients
from decisions.models import Decision, Meeting, Ratification
from decisions.queries import outstanding, urgent_decisions_awaiting_report


def _decision_label(decision: Decision) -> str:
    # A restricted decision's resolution is not for publication: name it by its reference only.
    if not access.is_published(decision):
        return decision.minute_reference or f"Decision {decision.pk}"
    return str(decision)


def ratification_reminders(on: datetime.date) -> list[Reminder]:
    """Ratifications outstanding past their due date (the decision's date plus the due period), for the
    ratifying organisation's contact and the deciding body's secretariat and chair."""
    due_before = on - datetime.timedelta(days=settings.RATIFICATION_DUE_DAYS)
    ratifications = list(outstanding(Ratification.objects.filter(decision__decided_on__lt=due_before)))
    bodies = body_recipients((r.decision.body for r in ratifications), on)
    contacts = organisation_contacts(r.organisation_id for r in ratifications)
    reminders = []
    for ratification in ratifications:
        decision = ratification.decision
        due = decision.decided_on + datetime.timedelta(days=settings.RATIFICATION_DUE_DAYS)
        reminders.append(
            Reminder(
                subject_key=f"ratification-overdue:{ratification.pk}",
                subject=f"{ratification.organisation.name}: ratification of {_decision_label(decision)} "
                f"was due on {due:%-d %B %Y}",
                body=f"{decision.body.name} decided on {decision.decided_on:%-d %B %Y}; the decision takes effect "
                "when every party has ratified it.",
                url=reverse("ratify", args=[ratification.pk]),
                partnership_id=decision.body.partnership_id,
                recipients=unique_recipients(
                    [contacts.get(ratification.organisation_id)], bodies.get(decision.body_id, [])
                ),
            )
        )
    return reminders


def urgent_decision_reminders(on: datetime.date) -> list[Reminder]:
    """Urgent decisions not yet reported to a meeting of their body, for its secretariat and chair."""
    decisions = list(
        urgent_decisions_awaiting_report(Decision.objects.select_related("body")).order_by("decided_on", "pk")
    )
    recipients = body_recipients((d.body for d in decisions), on)
    reminders = []
    for decision in decisions:
        when = "was due at the meeting just held" if decision.overdue else "is due at the next meeting"
        reminders.append(
            Reminder(
                subject_key=f"urgent-unreported:{decision.pk}",
                subject=f"{decision.body.name}: urgent decision {_decision_label(decision)} not yet reported",
                body=f"Taken on {decision.decided_on:%-d %B %Y}; its report {when}.",
                url=reverse("decision-detail", args=[decision.pk]),
                partnership_id=decision.body.partnership_id,
                recipients=recipients.get(decision.body_id, []),
            )
        )
    return reminders


def meeting_notice_reminders(on: datetime.date) -> list[Reminder]:
    """Scheduled meetings starting within the notice period with no notice recorded as given."""
    last_day = on + datetime.timedelta(days=settings.MEETING_NOTICE_DAYS)
    meetings = list(
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED,
            notice_given_on__isnull=True,
            starts_at__date__gte=on,
            starts_at__date__lte=last_day,
        )
        .select_related("body")
        .order_by("starts_at", "pk")
    )
    recipients = body_recipients((m.body for m in meetings), on)
    return [
        Reminder(
            subject_key=f"meeting-notice:{meeting.pk}",
            subject=f"{meeting}: notice not yet given",
            body=f"The meeting is within {settings.MEETING_NOTICE_DAYS} days; send the notice and papers, and "
            "record the day notice was given.",
            url=reverse("meeting-detail", args=[meeting.pk]),
            partnership_id=meeting.body.partnership_id,
            recipients=recipients.get(meeting.body_id, []),
        )
        for meeting in meetings
    ]

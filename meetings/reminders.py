"""Daily reminders of the meeting cycle (gathered by core.tasks.send_daily_reminders): an action's
owner, once it is overdue; a member who has not made this year's declaration of interests."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse

from bodies.models import Appointment, Person
from core.notifications import Reminder, recipient_by_email
from meetings.models import Action, DeclarationReturn, DeclarationRound


def _person_recipient(person: Person):
    user_id = person.user_id
    return recipient_by_email(
        person.email or (person.user.email if person.user_id else ""), person.name, user_id
    )


def overdue_action_reminders(on: datetime.date) -> list[Reminder]:
    """Each open action past its due date, for its owner (linking to the action on its meeting page)."""
    actions = (
        Action.objects.filter(status=Action.Status.OPEN, due_on__lt=on)
        .select_related("owner__user", "body", "agenda_item__meeting")
        .order_by("due_on", "pk")
    )
    reminders = []
    for action in actions:
        recipient = _person_recipient(action.owner)
        if recipient is None:
            continue
        restricted = action.agenda_item.restricted
        what = f"Action {action.pk} of {action.body.name}" if restricted else action.description[:150]
        reminders.append(
            Reminder(
                subject_key=f"action-overdue:{action.pk}",
                subject=f"Overdue since {action.due_on.day} {action.due_on:%B %Y}: {what}",
                body=f"Arising from {action.agenda_item.meeting}. Record an update or close it.",
                url=reverse("meeting-action", args=[action.pk]),
                partnership_id=action.body.partnership_id,
                recipients=[recipient],
            )
        )
    return reminders


def declaration_round_reminders(on: datetime.date) -> list[Reminder]:
    """Open rounds: each member of the partnership's bodies without a return, weekly (Mondays) and
    every day of the last week."""
    rounds = list(
        DeclarationRound.objects.filter(opens_on__lte=on, closes_on__gte=on).select_related("partnership")
    )
    reminders = []
    for round_ in rounds:
        if on.weekday() != 0 and (round_.closes_on - on).days > 7:
            continue
        for person in round_members(round_, on).select_related("user"):
            recipient = _person_recipient(person)
            if recipient is None:
                continue
            reminders.append(
                Reminder(
                    subject_key=f"declaration-return:{round_.pk}:{person.pk}",
                    subject=f"{round_.partnership.name}: your declaration of interests for {round_.year} is due by "
                    f"{round_.closes_on.day} {round_.closes_on:%B %Y}",
                    body="Check your entries in the register, or make a nil return.",
                    url=reverse("my-interests"),
                    partnership_id=round_.partnership_id,
                    recipients=[recipient],
                )
            )
    return reminders


def round_members(round_: DeclarationRound, on: datetime.date | None = None):
    """The people asked for a return: appointed to one of the partnership's bodies on the day, without one yet."""
    on = on or round_.opens_on
    appointed = (
        Appointment.objects.in_force(on).filter(body__partnership=round_.partnership_id).values("person_id")
    )
    returned = DeclarationReturn.objects.filter(round=round_, person=OuterRef("pk"))
    return Person.objects.filter(pk__in=appointed).exclude(Exists(returned)).order_by("name", "pk")

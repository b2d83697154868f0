"""Who receives a body's or an organisation's reminders: the partnership's secretariat, the body's
chair and secretariat in force, an organisation's contact (core.notifications stores and sends them)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from bodies.models import Appointment, Body, Organisation
from core.access import Role, role_holders
from core.notifications import Recipient, recipient_by_email, unique_recipients


def secretariat_users(partnership_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """The users holding the secretariat role on each partnership now (one query)."""
    found: dict[int, list[Recipient]] = defaultdict(list)
    holders = (
        role_holders(set(partnership_ids), Role.SECRETARIAT)
        .values_list("partnership_id", "user_id", "user__email", "user__username")
        .order_by("user_id")
    )
    for partnership_id, user_id, email, username in holders:
        recipient = recipient_by_email(email, username, user_id) or Recipient(
            key=f"user:{user_id}", user_id=user_id
        )
        found[partnership_id].append(recipient)
    return found


def body_recipients(bodies: Iterable[Body], on: datetime.date) -> dict[int, list[Recipient]]:
    """Each body's secretariat (the partnership's secretariat users and the body's secretariat
    appointments) and its chair in force on the day: who keeps the body's records and who chairs it.
    Three queries, however many bodies; a body given more than once is looked up once."""
    bodies = list({body.pk: body for body in bodies}.values())
    secretariat = secretariat_users(b.partnership_id for b in bodies if b.partnership_id)
    offices: dict[int, list[Recipient]] = defaultdict(list)
    for body_id, email, name in (
        Appointment.objects.in_force(on)
        .filter(
            body__in=[b.pk for b in bodies], role__in=[Appointment.Role.CHAIR, Appointment.Role.SECRETARIAT]
        )
        .exclude(person__email="")
        .order_by("body_id", "role", "person__name")
        .values_list("body_id", "person__email", "person__name")
    ):
        offices[body_id].append(recipient_by_email(email, name))
    return {
        b.pk: unique_recipients(secretariat.get(b.partnership_id, []), offices.get(b.pk, [])) for b in bodies
    }


def organisation_contacts(organisation_ids: Iterable[int]) -> dict[int, Recipient]:
    """Each organisation's contact for reminders (its contact email), where the registry holds one."""
    return {
        pk: recipient_by_email(email, name)
        for pk, email, name in Organisation.objects.filter(pk__in=set(organisation_ids))
        .exclude(contact_email="")
        .values_list("pk", "contact_email", "name")
    }

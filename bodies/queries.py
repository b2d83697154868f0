"""Reads of the registry "as at" a date: what was in force on that day."""

import datetime

from django.db.models import Prefetch, Q, QuerySet

from bodies.models import (
    Appointment,
    Body,
    BodyRelationship,
    Membership,
    Organisation,
    Partnership,
    Person,
    TermsOfReference,
    TermsOfReferenceRole,
)
from bodies.successions import successors_as_at
from core.effective_dating import today


def memberships_as_at(partnership: Partnership, on: datetime.date | None = None) -> QuerySet[Membership]:
    """The organisations that were members of the partnership on the day, with their standing."""
    return (
        Membership.objects.in_force(on)
        .filter(partnership=partnership)
        .select_related("organisation")
        .order_by("standing", "organisation__name")
    )


def bodies_as_at(partnership: Partnership, on: datetime.date | None = None) -> QuerySet[Body]:
    return Body.objects.in_force(on).filter(partnership=partnership).order_by("name")


def relationships_as_at(
    partnership: Partnership, on: datetime.date | None = None
) -> QuerySet[BodyRelationship]:
    """The structure chart's lines on the day: both ends must exist then too."""
    on = on or today()
    live_bodies = Body.objects.in_force(on)
    return (
        BodyRelationship.objects.in_force(on)
        .filter(from_body__partnership=partnership, from_body__in=live_bodies, to_body__in=live_bodies)
        .select_related("from_body", "to_body")
    )


def appointments_as_at(body: Body, on: datetime.date | None = None) -> QuerySet[Appointment]:
    return (
        Appointment.objects.in_force(on)
        .filter(body=body)
        .select_related("person", "representing", "deputy")
        .order_by("role", "person__name")
    )


def terms_of_reference_as_at(body: Body, on: datetime.date | None = None) -> TermsOfReference | None:
    """The approved version in force on the day (the database allows at most one)."""
    return (
        TermsOfReference.objects.in_force(on)
        .filter(body=body)
        .prefetch_related(
            "objectives",
            Prefetch("roles", queryset=TermsOfReferenceRole.objects.select_related("organisation")),
        )
        .first()
    )


def successor_as_at(organisation: Organisation, on: datetime.date | None = None) -> Organisation:
    """The organisation that stood in this one's place on the day, following mergers (itself if none;
    after a split, the successor with the largest share: bodies.successions.successors_as_at gives all).

    History stays with the predecessor's records; this answers "who is it now?".
    """
    return successors_as_at(organisation, on)[0]


def people_of(partnership: Partnership) -> QuerySet[Person]:
    """The people linked to a partnership: appointed to its bodies (at any time) or leading it."""
    return Person.objects.filter(
        Q(pk__in=Appointment.objects.filter(body__partnership=partnership).values("person_id"))
        | Q(pk__in=Partnership.objects.filter(pk=partnership.pk).values("lead_id"))
    )


def person_id_of(user) -> int | None:
    """The person a signed-in account stands for (none for API tokens or unlinked accounts)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "api_token", None) is not None:
        return None
    if "_person_id" not in user.__dict__:
        user.__dict__["_person_id"] = Person.objects.filter(user=user).values_list("pk", flat=True).first()
    return user.__dict__["_person_id"]


def seated_body_ids(user) -> QuerySet | None:
    """The bodies on which the account's person holds an appointment in force today (a subquery)."""
    person_id = person_id_of(user)
    if person_id is None:
        return None
    return Appointment.objects.in_force().filter(person_id=person_id).values("body_id")

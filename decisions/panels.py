"""Decisions' panels on other apps' pages: what an organisation's board owes, a body's decisions
and meetings. They take the request for its user and page numbers (composition.pages uses them)."""

from __future__ import annotations

import datetime

from bodies.models import Body
from core.access import restrict
from core.effective_dating import today
from core.paging import paged
from decisions import queries
from decisions.models import Ratification


def owed_by(request, organisation, per_page: int = 10, param: str = "owed_page"):
    """The ratifications an organisation's board still owes, across the partnerships the user may see."""
    on = today()
    page = paged(
        request,
        queries.outstanding(
            restrict(Ratification.objects.filter(organisation=organisation), request.user)
        ).select_related("decision__body__partnership"),
        per_page,
        param,
    )
    for ratification in page:
        ratification.age_days = (on - ratification.decision.decided_on).days
    return page


def body_decisions(request, body: Body, per_page: int = 10, param: str = "decisions_page"):
    return paged(
        request,
        restrict(body.decisions.select_related("meeting"), request.user).order_by("-decided_on", "-id"),
        per_page,
        param,
    )


def body_meetings(request, body: Body, per_page: int = 10) -> dict:
    """The body's meetings to come (soonest first) and past (latest first), each paged."""
    now = datetime.datetime.now(tz=datetime.UTC)
    meetings = restrict(body.meetings.all(), request.user)
    return {
        "upcoming": paged(
            request,
            meetings.filter(starts_at__gte=now).order_by("starts_at", "id"),
            per_page,
            "upcoming_page",
        ),
        "past": paged(
            request, meetings.filter(starts_at__lt=now).order_by("-starts_at", "-id"), per_page, "past_page"
        ),
    }

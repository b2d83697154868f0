"""Risks' panels on other apps' pages: a body's register in brief, the risks an organisation leads."""

from __future__ import annotations

from django.db.models import QuerySet

from bodies.models import Body
from core.access import restrict
from core.paging import paged
from risks import queries
from risks.models import Risk, RiskRegister


def risk_rows(risks: QuerySet[Risk]) -> QuerySet[Risk]:
    """Risks as the pages list them: highest current score first, with what each row shows."""
    return risks.select_related(
        "register__body", "register__organisation", "owner", "lead_organisation"
    ).order_by("-current_score", "reference", "id")


def register_summary(request, body: Body) -> dict | None:
    """A body's risk register in brief: open risks by current band, overdue, above appetite."""
    register = restrict(RiskRegister.objects.filter(body=body), request.user).first()
    return None if register is None else queries.register_summary(register)


def led_by(request, organisation, per_page: int = 10, param: str = "risks_page"):
    """Open risks an organisation leads, in the partnerships the user may see, highest first."""
    return paged(
        request,
        risk_rows(
            restrict(Risk.objects.open().filter(lead_organisation=organisation), request.user)
        ).select_related("partnership"),
        per_page,
        param,
    )

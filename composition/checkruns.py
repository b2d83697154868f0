"""Nightly checks of each partnership: its scheme of delegation and the quality of its records.

`check_run_record` runs both and stores the result as that day's `CheckRun` (a second run the same
day replaces it). The home page reads the latest run per partnership
(`composition.jobs_summary.latest_check_runs`) instead of checking every scheme on each visit.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from bodies.models import Appointment, Body, Partnership, TermsOfReference
from bodies.successions import dissolved_q, dissolved_references
from core.models import CheckRun
from delegation.checks import scheme_defects
from delegation.models import Delegation
from delegation.queries import ratifying_parties


def _issue(code: str, message: str, **ids) -> dict:
    return {"code": code, "message": message, **ids}


def data_quality_issues(partnership: Partnership, on: datetime.date) -> list[dict]:
    """Gaps in the partnership's records that make the registry less useful, in actionable words."""
    issues: list[dict] = []
    bodies = (
        Body.objects.in_force(on)
        .filter(partnership=partnership)
        .annotate(
            has_terms=Exists(TermsOfReference.objects.in_force(on).filter(body=OuterRef("pk"))),
            has_chair=Exists(
                Appointment.objects.in_force(on).filter(body=OuterRef("pk"), role=Appointment.Role.CHAIR)
            ),
        )
        .order_by("name")
    )
    for body in bodies:
        if not body.has_terms:
            issues.append(
                _issue(
                    "body_without_terms_of_reference",
                    f"{body.name} has no approved terms of reference in force. Record and approve them.",
                    body_id=body.pk,
                )
            )
        if not body.has_chair:
            issues.append(
                _issue(
                    "body_without_chair",
                    f"{body.name} has no chair appointed. Record the chair's appointment.",
                    body_id=body.pk,
                )
            )
    overdue = (
        TermsOfReference.objects.review_due_before(on, on)
        .filter(body__partnership=partnership)
        .select_related("body")
        .order_by("next_review_due")
    )
    for terms in overdue:
        issues.append(
            _issue(
                "terms_of_reference_overdue_for_review",
                f"{terms.body.name}'s terms of reference (version {terms.version}) were due for review on "
                f"{terms.next_review_due:%-d %B %Y}.",
                body_id=terms.body_id,
            )
        )
    for organisation in ratifying_parties(partnership, on).filter(contact_email=""):
        issues.append(
            _issue(
                "ratifying_party_without_contact",
                f"{organisation.name} ratifies the partnership's decisions but has no contact email, so "
                "ratification reminders cannot reach it. Add its contact email.",
                organisation_id=organisation.pk,
            )
        )
    issues.extend(dissolved_references(partnership, on, extra=_dissolved_delegations(partnership, on)))
    return issues


def _dissolved_delegations(partnership: Partnership, on: datetime.date):
    """Delegations in force to or from the board of an organisation dissolved by the day."""
    gone = dissolved_q(on, "delegate__organisation__") | dissolved_q(on, "delegator__organisation__")
    for d in (
        Delegation.objects.in_force(on)
        .filter(gone, partnership=partnership)
        .select_related("delegate__organisation", "delegator__organisation", "matter")
        .order_by("pk")
    ):
        for body in (d.delegator, d.delegate):
            organisation = body.organisation if body is not None else None
            if organisation is not None and organisation.dissolved_on and organisation.dissolved_on < on:
                yield (
                    "delegation_involving_dissolved_organisation",
                    f"The delegation of “{d.matter.name}” involving {body.name}",
                    organisation,
                    {"delegation_id": d.pk},
                )


@transaction.atomic
def check_run_record(*, partnership_id: int, on: datetime.date) -> CheckRun:
    """Run the scheme checks and data-quality checks as at `on`, and store them as that day's run."""
    partnership = Partnership.objects.get(pk=partnership_id)
    defects = [dataclasses.asdict(defect) for defect in scheme_defects(partnership, on)]
    issues = data_quality_issues(partnership, on)
    run, _ = CheckRun.objects.update_or_create(
        partnership=partnership,
        on=on,
        defaults={"scheme_defects": defects, "data_quality": issues, "finished_at": timezone.now()},
    )
    return run

"""Acceptance: the demo registers of Cambridgeshire and Peterborough (illustrative: the documents hold no risks)."""

import pytest

from bodies.models import Partnership
from risks import queries
from risks.models import Risk, RiskAction, RiskEscalation, RiskRegister, RiskReview, ScoringMatrix
from risks.seed import ILLUSTRATIVE, load_risk_seed

pytestmark = pytest.mark.django_db

ESCALATION_PATH = [
    "delivery-and-enabling-groups",
    "system-delivery-board",
    "health-and-care-executive",
    "stp-board",
]


@pytest.fixture
def cambridgeshire():
    return Partnership.objects.get(slug="cambridgeshire-and-peterborough")


def test_each_body_on_the_escalation_path_keeps_a_small_register(cambridgeshire):
    for slug in ESCALATION_PATH:
        register = RiskRegister.objects.get(partnership=cambridgeshire, body__slug=slug)
        assert 1 <= register.risks.count() <= 5, slug
        assert all(risk.reviews.exists() for risk in register.risks.all()), slug


def test_risks_are_escalated_up_the_path_to_the_health_and_care_executive(cambridgeshire):
    to_hce = RiskEscalation.objects.filter(
        risk__partnership=cambridgeshire, to_body__slug="health-and-care-executive"
    )
    chain = list(
        RiskEscalation.objects.filter(risk__reference="CP-DEG-03")
        .order_by("escalated_on")
        .values_list("from_register__body__slug", "to_body__slug", "response")
    )

    assert to_hce.count() >= 1
    assert chain == [
        ("delivery-and-enabling-groups", "system-delivery-board", "accepted"),
        ("system-delivery-board", "health-and-care-executive", "accepted"),
    ]
    awaiting = {e.risk.reference for e in queries.escalated_awaiting_response(partnership=cambridgeshire)}
    assert awaiting == {"CP-SDB-02", "CP-CCG-01"}


def test_an_organisations_own_risk_is_managed_at_partnership_level(cambridgeshire):
    escalation = RiskEscalation.objects.get(risk__reference="CP-CCG-01")

    assert escalation.from_register.organisation.slug == (
        "nhs-cambridgeshire-and-peterborough-clinical-commissioning-group"
    )
    assert escalation.to_body.slug == "health-and-care-executive"


def test_every_record_is_marked_illustrative(cambridgeshire):
    registers = RiskRegister.objects.filter(partnership=cambridgeshire)
    risks = Risk.objects.filter(partnership=cambridgeshire)

    assert registers.count() == 5 and risks.count() == 9
    assert all(r.note.startswith(ILLUSTRATIVE) for r in registers)
    assert all(r.description.startswith(ILLUSTRATIVE) for r in risks)
    assert all(r.note.startswith(ILLUSTRATIVE) for r in RiskReview.objects.filter(risk__in=risks))
    assert all(a.description.startswith(ILLUSTRATIVE) for a in RiskAction.objects.filter(risk__in=risks))
    assert all(e.reason.startswith(ILLUSTRATIVE) for e in RiskEscalation.objects.filter(risk__in=risks))
    assert ScoringMatrix.objects.get(partnership=cambridgeshire).note.startswith(ILLUSTRATIVE)
    assert all("(illustrative)" in r.owner_title and r.owner_id is None for r in risks)


def test_the_demo_data_is_scored_and_banded_consistently(cambridgeshire):
    for risk in Risk.objects.filter(partnership=cambridgeshire).prefetch_related("reviews"):
        latest = max(risk.reviews.all(), key=lambda review: review.reviewed_on)
        assert (latest.current_score, latest.target_score) == (risk.current_score, risk.target_score), (
            risk.reference
        )
        assert risk.last_reviewed_on == latest.reviewed_on

    heat_map = queries.partnership_heat_map(cambridgeshire)
    assert heat_map.total == 9
    assert heat_map.count(4, 5) == 1  # CP-HCE-01, the control total
    assert {r.reference for r in queries.above_appetite(partnership=cambridgeshire)} == {
        "CP-DEG-03", "CP-SDB-02", "CP-HCE-01", "CP-CCG-01",
    }  # fmt: skip


def test_loading_twice_changes_nothing():
    report = load_risk_seed()

    assert not report.changed, (report.created, report.updated)

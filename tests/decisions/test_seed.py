"""The illustrative meetings and decisions in fixtures/decisions obey the registry's own rules."""

import datetime

import pytest

from decisions.models import Decision, Meeting
from decisions.queries import urgent_decisions_awaiting_report
from decisions.seed import ILLUSTRATIVE, load_decisions_seed
from risks.models import RiskReview

pytestmark = pytest.mark.django_db


def test_the_derbyshire_decisions_wait_for_every_party_and_one_refusal_stops_the_second():
    refresh = Decision.objects.get(body__partnership__slug="derbyshire", minute_reference="STPB/18/01")
    finance = Decision.objects.get(body__partnership__slug="derbyshire", minute_reference="STPB/18/07")

    assert refresh.status == "awaiting_ratification"
    assert (
        refresh.ratifications.count() == 15
    )  # every confirmed party (MoU 10.6): not the general practices (audit, issue 20)
    assert refresh.ratifications.filter(outcome="ratified").count() == 5
    assert refresh.ratifications.get(organisation__slug="nhs-hardwick-ccg").outcome == "deferred"
    assert finance.status == "not_effective"  # Derbyshire County Council declined
    assert refresh.resolution.startswith(ILLUSTRATIVE)
    assert refresh.delegation.delegate == refresh.body


def test_the_cambridgeshire_urgent_decision_is_overdue_for_report_to_the_hce():
    urgent = Decision.objects.get(minute_reference="HCE/URG/18/01")

    awaiting = urgent_decisions_awaiting_report().get(pk=urgent.pk)

    assert awaiting.overdue is True  # the HCE met on 8 March 2018 and it was not reported
    assert urgent.meeting is None and urgent.consulted


def test_the_risk_reviews_are_minuted_at_the_seeded_meetings():
    reviews = RiskReview.objects.filter(risk__partnership__slug="cambridgeshire-and-peterborough")

    assert reviews.filter(meeting__isnull=False).count() == 10
    assert all(r.meeting.body_id == r.risk.register.body_id for r in reviews.exclude(meeting=None))
    sdb = Meeting.objects.get(body__slug="system-delivery-board", starts_at__date=datetime.date(2018, 3, 14))
    assert sdb.risk_reviews.count() == 2


def test_loading_the_decisions_again_changes_nothing():
    before = (Decision.objects.count(), Meeting.objects.count())

    report = load_decisions_seed()

    assert not report.changed
    assert (Decision.objects.count(), Meeting.objects.count()) == before

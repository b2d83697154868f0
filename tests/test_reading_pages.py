"""The reading additions to the home, body, organisation and search pages: decisions, ratifications, risks."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bodies.models import Partnership
from composition.checkruns import check_run_record
from core.access import grant_role
from tests import factories
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


def needing_attention(partnership):
    """A partnership with one of everything the home page counts."""
    body = factories.BodyFactory(partnership=partnership, decisions_bind_partners=False)
    decision = factories.DecisionFactory(body=body, status="awaiting_ratification")
    factories.RatificationFactory(decision=decision)
    factories.RatificationFactory(decision=decision)
    urgent = factories.DecisionFactory(
        body=body,
        meeting=None,
        urgent=True,
        urgency_reason="Could not wait",
        decided_on=datetime.date(2018, 1, 2),
    )
    factories.MeetingFactory(body=body, starts_at=datetime.datetime(2018, 2, 1, 10, tzinfo=datetime.UTC))
    register = factories.RiskRegisterFactory(partnership=partnership, body=body)
    factories.RiskFactory(register=register, next_review_due=datetime.date(2018, 1, 1))  # overdue
    above = factories.RiskFactory(register=register, current_likelihood=5, current_consequence=5)
    factories.RiskEscalationFactory(risk=above)
    return decision, urgent


def test_home_counts_what_needs_attention_in_each_partnership(client):
    partnership = factories.PartnershipFactory(name="Attention Partnership")
    decision, _ = needing_attention(partnership)
    client.force_login(user_with_role(partnership, "viewer"))

    response = client.get(reverse("home"))

    [shown] = response.context["partnerships"]
    assert shown.attention == {
        "ratifications_outstanding": 2,
        "oldest_ratification_days": (timezone.localdate() - decision.decided_on).days,
        "urgent_overdue": 1,
        "risks_overdue": 1,
        "risks_above_appetite": 1,
        "escalations_awaiting": 1,
    }
    assert shown.scheme_check["checked_on"] is None  # no nightly run yet: said so, not checked live
    html = response.content.decode()
    assert "Scheme not checked yet" in html
    assert "2 ratifications outstanding" in html and "1 urgent decision not reported" in html
    assert "1 risk escalation awaiting a response" in html


def test_home_counts_the_seed_risks_of_cambridgeshire(client):
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    client.force_login(user_with_role(cambridgeshire, "viewer"))

    [shown] = client.get(reverse("home")).context["partnerships"]

    assert shown.attention["risks_above_appetite"] == 4
    assert shown.attention["escalations_awaiting"] == 2


def test_home_query_count_does_not_grow_with_partnerships(client, django_assert_max_num_queries):
    """Every partnership checked last night: the stored results are read in one query, nothing live."""
    user = factories.UserFactory()
    client.force_login(user)

    def grow(n):
        for _ in range(n):
            partnership = factories.PartnershipFactory()
            needing_attention(partnership)
            grant_role(user=user, partnership=partnership, role="viewer")
            check_run_record(partnership_id=partnership.pk, on=timezone.localdate())

    grow(1)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(reverse("home")).context["partnerships"]) == 1
    grow(4)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(reverse("home")).context["partnerships"]) == 5


def test_body_page_shows_meetings_decisions_and_its_risk_register(client):
    partnership = factories.PartnershipFactory(name="Body Extras Partnership")
    body = factories.BodyFactory(partnership=partnership, name="Extras Board")
    past = factories.MeetingFactory(body=body)
    soon = factories.MeetingFactory(
        body=body, starts_at=timezone.now() + datetime.timedelta(days=7), status="scheduled"
    )
    decision = factories.DecisionFactory(body=body, meeting=past, minute_reference="EB/1")
    register = factories.RiskRegisterFactory(partnership=partnership, body=body)
    factories.RiskFactory(register=register, current_likelihood=5, current_consequence=5)
    client.force_login(user_with_role(partnership, "viewer"))

    response = client.get(reverse("body-detail", args=[body.pk]))
    html = response.content.decode()

    assert list(response.context["meetings"]["upcoming"]) == [soon]
    assert list(response.context["meetings"]["past"]) == [past]
    assert reverse("api:body-calendar", args=[body.pk]) in html
    assert list(response.context["decisions"]) == [decision]
    summary = response.context["risk_register"]
    assert (summary["open"], summary["above_appetite"]) == (1, 1)
    assert ("Extreme", "extreme", 1) in summary["bands"]
    assert reverse("risk-register", args=[register.pk]) in html


def test_body_page_query_count_does_not_grow_with_meetings_decisions_or_risks(
    client, django_assert_max_num_queries
):
    partnership = factories.PartnershipFactory(name="Growing Body Partnership")
    body = factories.BodyFactory(partnership=partnership)
    register = factories.RiskRegisterFactory(partnership=partnership, body=body)
    client.force_login(user_with_role(partnership, "viewer"))

    def grow(n):
        for _ in range(n):
            meeting = factories.MeetingFactory(body=body)
            factories.MeetingFactory(body=body, starts_at=timezone.now() + datetime.timedelta(days=n + 1))
            factories.DecisionFactory(body=body, meeting=meeting)
            factories.RiskFactory(register=register)

    grow(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("body-detail", args=[body.pk]))
    grow(12)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("body-detail", args=[body.pk]))


def test_organisation_page_shows_ratifications_owed_and_risks_led(client):
    partnership = factories.PartnershipFactory(name="Owing Partnership")
    organisation = factories.MembershipFactory(partnership=partnership).organisation
    owed = factories.RatificationFactory(decision__body__partnership=partnership, organisation=organisation)
    factories.RatificationFactory(
        decision__body__partnership=partnership,
        organisation=organisation,
        outcome="ratified",
        decided_on=datetime.date(2018, 2, 1),
    )
    elsewhere = factories.PartnershipFactory(name="Unseen Partnership")
    factories.RatificationFactory(decision__body__partnership=elsewhere, organisation=organisation)
    led = factories.RiskFactory(register__partnership=partnership, lead_organisation=organisation)
    factories.RiskFactory(register__partnership=elsewhere, lead_organisation=organisation)
    client.force_login(user_with_role(partnership, "viewer"))

    response = client.get(reverse("organisation-detail", args=[organisation.pk]))

    assert list(response.context["owed"]) == [owed]
    assert list(response.context["risks_led"]) == [led]
    assert reverse("decision-detail", args=[owed.decision_id]) in response.content.decode()


def test_organisation_page_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    partnership = factories.PartnershipFactory(name="Growing Owing Partnership")
    organisation = factories.MembershipFactory(partnership=partnership).organisation
    client.force_login(user_with_role(partnership, "viewer"))

    def grow(n):
        for _ in range(n):
            factories.RatificationFactory(decision__body__partnership=partnership, organisation=organisation)
            factories.RiskFactory(register__partnership=partnership, lead_organisation=organisation)

    grow(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("organisation-detail", args=[organisation.pk]))
    grow(12)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("organisation-detail", args=[organisation.pk]))
    assert response.context["owed"].paginator.count == 13


def test_search_finds_decisions_and_risks(client):
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    decision = factories.DecisionFactory(
        body=cambridgeshire.bodies.first(), resolution="The frailty pathway business case is approved."
    )
    client.force_login(user_with_role(cambridgeshire, "viewer"))

    decisions = client.get(reverse("search"), {"q": "frailty pathway"})
    risks = client.get(reverse("search"), {"q": "CP-HCE"})

    assert decisions.context["results"]["Decisions"] == [decision]
    assert [risk.reference for risk in risks.context["results"]["Risks"]] == ["CP-HCE-01", "CP-HCE-02"]
    assert reverse("decision-detail", args=[decision.pk]) in decisions.content.decode()


def test_home_shows_the_partnerships_a_page_at_a_time(client):
    user = factories.UserFactory()
    partnerships = [factories.PartnershipFactory(name=f"Paged Partnership {n:02}") for n in range(23)]
    for partnership in partnerships:
        grant_role(user=user, partnership=partnership, role="viewer")
    client.force_login(user)

    first = client.get(reverse("home"))
    second = client.get(reverse("home"), {"page": "2"})

    assert [p.name for p in first.context["partnerships"]] == [p.name for p in partnerships[:20]]
    assert [p.name for p in second.context["partnerships"]] == [p.name for p in partnerships[20:]]
    assert "Showing 1–20 of 23." in first.content.decode()
    assert client.get(reverse("home"), {"page": "x"}).status_code == 200

"""The secretariat's admin: bands colour-coded, workflows through the services, other partnerships hidden."""

import datetime

import pytest
from django.urls import reverse

from core.access import grant_role
from risks.models import Risk, RiskEscalation, RiskReview
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def secretariat(db):
    partnership = factories.PartnershipFactory()
    user = factories.UserFactory()
    grant_role(user=user, partnership=partnership, role="secretariat")
    return user, partnership


def test_the_changelist_colour_codes_bands_with_the_apps_stylesheet(client, secretariat):
    user, partnership = secretariat
    factories.RiskFactory(register__partnership=partnership, current_likelihood=5, current_consequence=5)
    client.force_login(user)

    response = client.get(reverse("admin:risks_risk_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="risk-band risk-band-extreme">25 Extreme</span>' in html
    assert "risks/admin.css" in html
    assert "style=" not in html.split("<body")[1].split("result_list")[1].split("</table>")[0]


def test_another_partnerships_risk_is_not_found(client, secretariat):
    user, partnership = secretariat
    theirs = factories.RiskFactory()
    ours = factories.RiskFactory(register__partnership=partnership)
    client.force_login(user)

    changelist = client.get(reverse("admin:risks_risk_changelist"))

    assert {r.pk for r in changelist.context["cl"].result_list} == {ours.pk}
    assert client.get(reverse("admin:risks_risk_change", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:risks_risk_change", args=[ours.pk])).status_code == 200


def test_a_review_added_in_the_admin_goes_through_the_service(client, secretariat):
    user, partnership = secretariat
    risk = factories.RiskFactory(
        register__partnership=partnership, current_likelihood=4, current_consequence=4
    )
    meeting = factories.MeetingFactory(
        body=risk.register.body, starts_at=datetime.datetime(2018, 3, 14, 10, tzinfo=datetime.UTC)
    )
    client.force_login(user)

    response = client.post(
        reverse("admin:risks_riskreview_add"),
        {
            "risk": risk.pk, "reviewed_on": "2018-03-14", "meeting": meeting.pk, "current_likelihood": 2,
            "current_consequence": 4, "target_likelihood": 2, "target_consequence": 2, "note": "",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.content
    risk.refresh_from_db()
    assert (risk.current_score, risk.last_reviewed_on) == (8, D(2018, 3, 14))
    assert (RiskReview.objects.get(risk=risk).current_band, RiskReview.objects.get(risk=risk).meeting) == (
        "high",
        meeting,
    )


def test_an_escalation_off_the_reporting_lines_is_a_form_error_in_the_admin(client, secretariat):
    user, partnership = secretariat
    group = factories.BodyFactory(partnership=partnership, name="Group")
    elsewhere = factories.BodyFactory(partnership=partnership, name="Elsewhere")
    risk = factories.RiskFactory(register=factories.RiskRegisterFactory(partnership=partnership, body=group))
    client.force_login(user)

    response = client.post(
        reverse("admin:risks_riskescalation_add"),
        {"risk": risk.pk, "to_body": elsewhere.pk, "escalated_on": "2018-03-01", "reason": "Up."},
    )

    assert response.status_code == 200
    assert "Group has no “escalates risks to” or “reports to” relationship" in response.content.decode()
    assert not RiskEscalation.objects.filter(risk=risk).exists()


def test_the_record_review_action_reviews_each_selected_risk(client, secretariat):
    user, partnership = secretariat
    risk = factories.RiskFactory(register__partnership=partnership)
    client.force_login(user)

    client.post(
        reverse("admin:risks_risk_changelist"),
        {"action": "record_review_today", "_selected_action": [risk.pk]},
    )

    assert Risk.objects.get(pk=risk.pk).last_reviewed_on == datetime.date.today()


def test_every_risks_admin_page_renders(admin_client):
    escalation = factories.RiskEscalationFactory()
    accepted = factories.RiskEscalationFactory(response="accepted", responded_on=D(2018, 3, 2))
    review = factories.RiskReviewFactory(risk=escalation.risk)
    factories.RiskActionFactory(risk=escalation.risk)
    matrix = factories.ScoringMatrixFactory(partnership=escalation.risk.partnership)
    records = {
        "scoringmatrix": matrix, "riskregister": escalation.risk.register, "risk": escalation.risk,
        "riskreview": review, "riskescalation": escalation,
    }  # fmt: skip

    for name, record in records.items():
        for url in (
            reverse(f"admin:risks_{name}_changelist"),
            reverse(f"admin:risks_{name}_add"),
            reverse(f"admin:risks_{name}_change", args=[record.pk]),
        ):
            assert admin_client.get(url).status_code == 200, url
    assert (
        admin_client.get(reverse("admin:risks_riskescalation_change", args=[accepted.pk])).status_code == 200
    )


def test_answering_an_escalation_in_the_admin_goes_through_the_service(admin_client):
    escalation = factories.RiskEscalationFactory()
    url = reverse("admin:risks_riskescalation_change", args=[escalation.pk])
    form = {
        "reason": escalation.reason, "response": "returned", "responded_on": "2018-03-08", "response_note": "",
        "expected_revision": escalation.revision,
    }  # fmt: skip

    without_advice = admin_client.post(url, form)
    with_advice = admin_client.post(url, {**form, "response_note": "Manage it in the group."})

    assert without_advice.status_code == 200  # the form, with the constraint's message
    assert "A risk returned to its register is returned with advice." in without_advice.content.decode()
    assert with_advice.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.response, escalation.responded_on) == ("returned", D(2018, 3, 8))

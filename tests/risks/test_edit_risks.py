"""Editing risks: added, changed, reviewed and escalated; an escalation the reporting lines do
not allow refused; an escalation answered (accepted, handed back) once; stale saves refused;
a list with constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from risks.models import Risk, RiskEscalation, RiskReview
from tests import factories
from tests.editing import errors_of, events, form_data

pytestmark = pytest.mark.django_db


# -- risks ---------------------------------------------------------------------------------------
def test_a_risk_is_added_changed_reviewed_and_escalated(secretariat, ours, board):
    register = factories.RiskRegisterFactory(partnership=ours, body=factories.BodyFactory(partnership=ours))
    factories.BodyRelationshipFactory(from_body=register.body, to_body=board, kind="escalates_risks_to")
    url = reverse("edit-risk-create", args=[ours.pk])
    created = secretariat.post(
        url,
        form_data(
            secretariat.get(url),
            register=str(register.pk),
            reference="OP-01",
            title="Workforce gaps",
            category="workforce",
            inherent_likelihood="4",
            inherent_consequence="4",
            current_likelihood="3",
            current_consequence="4",
            target_likelihood="2",
            target_consequence="3",
        ),
    )
    risk = Risk.objects.get(partnership=ours, reference="OP-01")
    assert created.status_code == 302 and (risk.current_score, risk.current_band) == (12, "high")

    url = reverse("edit-risk", args=[risk.pk])
    secretariat.post(url, form_data(secretariat.get(url), current_likelihood="4"))
    risk.refresh_from_db()
    assert (risk.current_score, risk.current_band) == (16, "extreme")

    url = reverse("edit-risk-review", args=[risk.pk])
    meeting = factories.MeetingFactory(
        body=register.body, starts_at=datetime.datetime(2019, 1, 10, 14, tzinfo=datetime.UTC)
    )
    other_day = factories.MeetingFactory(
        body=register.body, starts_at=datetime.datetime(2019, 1, 3, 14, tzinfo=datetime.UTC)
    )
    wrong_day = secretariat.post(
        url,
        form_data(
            secretariat.get(url), reviewed_on="2019-01-10", current_likelihood="2", meeting=str(other_day.pk)
        ),
    )
    assert wrong_day.status_code == 400
    assert "not on the day of the review" in errors_of(wrong_day)["meeting"][0]
    reviewed = secretariat.post(
        url,
        form_data(
            secretariat.get(url), reviewed_on="2019-01-10", current_likelihood="2", meeting=str(meeting.pk)
        ),
    )
    url = reverse("edit-risk-escalate", args=[risk.pk])
    escalated = secretariat.post(
        url,
        form_data(
            secretariat.get(url), to_body=str(board.pk), escalated_on="2019-01-11", reason="Above appetite"
        ),
    )

    risk.refresh_from_db()
    assert reviewed.status_code == 302 and escalated.status_code == 302
    assert RiskReview.objects.get(risk=risk).current_likelihood == 2 and risk.current_score == 8
    assert RiskReview.objects.get(risk=risk).meeting == meeting
    assert RiskEscalation.objects.get(risk=risk).to_body == board
    assert [e.pgh_label for e in events(risk)] == ["insert", "update", "update"]


def test_an_escalation_the_reporting_lines_do_not_allow_is_refused_with_the_reason(secretariat, ours, board):
    risk = factories.RiskFactory(register__partnership=ours)
    url = reverse("edit-risk-escalate", args=[risk.pk])

    response = secretariat.post(
        url,
        form_data(secretariat.get(url), to_body=str(board.pk), escalated_on="2019-01-11", reason="Too big"),
    )

    assert response.status_code == 400
    assert "cannot escalate risks" in errors_of(response)["to_body"][0]
    assert "Too big" in response.content.decode()
    assert not RiskEscalation.objects.filter(risk=risk).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"reference": ""}, "reference"),
        ({"title": "t" * 301}, "title"),
        ({"current_likelihood": "6"}, "current_likelihood"),
        ({"identified_on": "2019-02-29"}, "identified_on"),
        ({"status": "closed"}, "closed_on"),
        ({"cause": "bad\x00"}, "cause"),
    ],
)
def test_bad_risk_input_is_a_field_error(secretariat, ours, changes, field):
    risk = factories.RiskFactory(register__partnership=ours)
    url = reverse("edit-risk", args=[risk.pk])

    response = secretariat.post(url, form_data(secretariat.get(url), **changes))

    assert response.status_code == 400 and field in errors_of(response)
    assert Risk.objects.get(pk=risk.pk).revision == risk.revision


def test_a_stale_risk_save_is_refused(secretariat, ours):
    risk = factories.RiskFactory(register__partnership=ours)
    url = reverse("edit-risk", args=[risk.pk])
    opened = secretariat.get(url)
    Risk.objects.filter(pk=risk.pk).update(title="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, title="Mine"))

    assert response.status_code == 409
    assert Risk.objects.get(pk=risk.pk).title == "Changed elsewhere"


def test_the_risks_list_has_constant_queries(secretariat, ours, django_assert_max_num_queries):
    url = reverse("edit-risks", args=[ours.pk])
    factories.RiskFactory(register__partnership=ours)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(8):
        factories.RiskFactory(register__partnership=ours)
    with django_assert_max_num_queries(len(few)):
        assert len(secretariat.get(url).context["page"]) == 9


# -- answering a risk escalation -----------------------------------------------------------------
def answer(opened, **changes) -> dict:
    """form_data for a page whose form has a field named `response`."""
    return {**form_data(opened), **changes}


@pytest.fixture
def escalation(ours):
    return factories.RiskEscalationFactory(
        risk__register__partnership=ours, escalated_on=datetime.date(2019, 3, 1)
    )


def test_an_escalation_is_accepted_then_handed_back_with_history(secretariat, escalation):
    url = reverse("edit-risk-escalation-respond", args=[escalation.pk])
    accepted = secretariat.post(
        url, answer(secretariat.get(url), response="accepted", responded_on="2019-03-10")
    )
    url = reverse("edit-risk-escalation-de-escalate", args=[escalation.pk])
    too_early = secretariat.post(url, form_data(secretariat.get(url), de_escalated_on="2019-03-09"))
    handed_back = secretariat.post(
        url,
        form_data(
            secretariat.get(url), de_escalated_on="2019-06-01", de_escalation_note="Controls in place."
        ),
    )

    escalation.refresh_from_db()
    assert accepted.status_code == 302 and handed_back.status_code == 302
    assert (
        too_early.status_code == 400
        and "cannot be handed back before that" in errors_of(too_early)["de_escalated_on"][0]
    )
    assert (escalation.response, escalation.responded_on, escalation.de_escalated_on) == (
        "accepted",
        datetime.date(2019, 3, 10),
        datetime.date(2019, 6, 1),
    )
    assert [e.user_id for e in events(escalation)][-2:] == [secretariat.user.pk] * 2
    page = secretariat.get(reverse("edit-risk", args=[escalation.risk_id])).content.decode()
    assert "De-escalated" in page


def test_a_returned_escalation_needs_advice_and_is_answered_once(secretariat, escalation):
    url = reverse("edit-risk-escalation-respond", args=[escalation.pk])
    opened = secretariat.get(url)

    no_advice = secretariat.post(url, answer(opened, response="returned", responded_on="2019-03-10"))
    before = secretariat.post(url, answer(opened, response="accepted", responded_on="2019-02-01"))
    bad = secretariat.post(url, answer(opened, response="pending", responded_on="2019-03-10"))
    returned = secretariat.post(
        url,
        answer(opened, response="returned", responded_on="2019-03-10", response_note="Manage locally."),
    )
    again = secretariat.post(
        url, answer(secretariat.get(url), response="accepted", responded_on="2019-03-11")
    )

    assert no_advice.status_code == 400 and "Give the advice" in errors_of(no_advice)["response_note"][0]
    assert before.status_code == 400 and "cannot precede it" in errors_of(before)["responded_on"][0]
    assert bad.status_code == 400 and "response" in errors_of(bad)
    assert returned.status_code == 302
    assert again.status_code == 400 and "already answered" in errors_of(again)["response"][0]
    escalation.refresh_from_db()
    assert (escalation.response, escalation.response_note) == ("returned", "Manage locally.")


def test_a_stale_answer_to_an_escalation_is_refused(secretariat, escalation):
    url = reverse("edit-risk-escalation-respond", args=[escalation.pk])
    opened = secretariat.get(url)
    RiskEscalation.objects.filter(pk=escalation.pk).update(reason="Reworded elsewhere")

    response = secretariat.post(url, answer(opened, response="accepted", responded_on="2019-03-10"))

    assert response.status_code == 409
    assert RiskEscalation.objects.get(pk=escalation.pk).response == "pending"

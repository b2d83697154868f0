"""Editing risk registers: added for a body or an organisation, bad ones refused with the
reason, changed with history; a list with constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from risks.models import RiskRegister
from tests import factories
from tests.editing import errors_of, events, form_data

pytestmark = pytest.mark.django_db


# -- risk registers ------------------------------------------------------------------------------
def test_a_risk_register_is_added_for_a_body_and_for_an_organisation(secretariat, ours, board):
    member = factories.MembershipFactory(partnership=ours).organisation
    url = reverse("edit-risk-register-create", args=[ours.pk])

    for_body = secretariat.post(
        url, form_data(secretariat.get(url), body=str(board.pk), review_interval_months="2")
    )
    for_organisation = secretariat.post(url, form_data(secretariat.get(url), organisation=str(member.pk)))

    assert for_body.status_code == 302 and for_organisation.status_code == 302
    registers = RiskRegister.objects.filter(partnership=ours)
    assert {(r.body_id, r.organisation_id, r.review_interval_months) for r in registers} == {
        (board.pk, None, 2),
        (None, member.pk, 1),
    }
    register = registers.get(body=board)
    assert events(register)[0].user_id == secretariat.user.pk


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({}, None, "A register is kept by a body or by an organisation (one of them)."),
        ({"body": "BOARD", "organisation": "MEMBER"}, None, "one of them"),
        ({"body": "BOARD"}, None, "This body already has a risk register."),
        ({"organisation": "STRANGER"}, "organisation", "Select a valid choice."),
        ({"body": "BOARD", "review_interval_months": "0"}, None, "give 1 or more"),
    ],
)
def test_a_bad_risk_register_is_refused_with_the_reason(secretariat, ours, board, changes, field, message):
    member = factories.MembershipFactory(partnership=ours).organisation
    stranger = factories.OrganisationFactory()
    if "already" in message:
        factories.RiskRegisterFactory(partnership=ours, body=board)
    ids = {"BOARD": str(board.pk), "MEMBER": str(member.pk), "STRANGER": str(stranger.pk)}
    url = reverse("edit-risk-register-create", args=[ours.pk])
    before = RiskRegister.objects.count()

    response = secretariat.post(
        url,
        form_data(secretariat.get(url), note="Kept note", **{k: ids.get(v, v) for k, v in changes.items()}),
    )

    assert response.status_code == 400
    errors = errors_of(response).get(field or "__all__", []) + errors_of(response).get(
        "review_interval_months", []
    )
    assert any(message in error for error in errors), errors_of(response)
    assert "Kept note" in response.content.decode()
    assert RiskRegister.objects.count() == before


def test_a_risk_register_is_changed_with_history_and_a_stale_save_refused(secretariat, ours):
    register = factories.RiskRegisterFactory(partnership=ours)
    url = reverse("edit-risk-register", args=[register.pk])
    opened = secretariat.get(url)

    saved = secretariat.post(url, form_data(opened, review_interval_months="3"))
    stale = secretariat.post(url, form_data(opened, review_interval_months="6"))

    register.refresh_from_db()
    assert saved.status_code == 302 and stale.status_code == 409
    assert register.review_interval_months == 3
    assert "Review interval months: “1” → “3”" in secretariat.get(url).content.decode()


def test_the_risk_registers_list_has_constant_queries(secretariat, ours, django_assert_max_num_queries):
    url = reverse("edit-risk-registers", args=[ours.pk])
    factories.RiskFactory(register__partnership=ours)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(6):
        factories.RiskFactory(register=factories.RiskRegisterFactory(partnership=ours))
    factories.RiskRegisterFactory(
        partnership=ours, body=None, organisation=factories.MembershipFactory(partnership=ours).organisation
    )
    with django_assert_max_num_queries(len(few)):
        response = secretariat.get(url)
    assert len(response.context["page"]) == 8
    assert sorted(r.risk_count for r in response.context["page"]) == [0, 1, 1, 1, 1, 1, 1, 1]

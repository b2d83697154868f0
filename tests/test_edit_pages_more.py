"""Editing pages, continued: a draft's objectives and roles (one draft per body), people, risk
registers, rescinding a decision, answering and handing back a risk escalation, and adding a
row to a formset with htmx or without JavaScript."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from bodies import services as bodies_services
from bodies.models import Person, TermsOfReference, TermsOfReferenceObjective, TermsOfReferenceRole
from core.access import grant_role
from decisions.models import Decision, Meeting
from risks.models import RiskEscalation, RiskRegister
from tests import factories
from tests.platform.conftest import user_with_role
from tests.test_edit_pages import errors_of, events, form_data, formset_data

pytestmark = pytest.mark.django_db


def draft_page_data(response, **changes) -> dict:
    data = form_data(response)
    data.update(formset_data(response.context["objectives"]))
    data.update(formset_data(response.context["roles"]))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def draft(board):
    terms = factories.TermsOfReferenceFactory(body=board, version=2)
    for position, text in enumerate(["Set the strategy.", "Hold partners to account.", "Agree the plan."], 1):
        factories.TermsOfReferenceObjectiveFactory(terms_of_reference=terms, position=position, text=text)
    factories.TermsOfReferenceRoleFactory(terms_of_reference=terms, position=1, title="Chair", is_chair=True)
    return terms


# -- a draft's objectives and roles --------------------------------------------------------------
def test_a_drafts_objectives_and_roles_are_added_changed_and_removed_with_history(secretariat, draft):
    url = reverse("edit-terms-of-reference", args=[draft.pk])
    opened = secretariat.get(url)
    organisation = factories.OrganisationFactory(name="Our Council")

    response = secretariat.post(
        url,
        draft_page_data(
            opened,
            **{
                "objectives-0-DELETE": "on",
                "objectives-1-text": "Hold every partner to account.",
                "objectives-3-text": "Report to the partners' boards.",
                "roles-1-title": "Leader of the council",
                "roles-1-category": "member",
                "roles-1-voting": "true",
                "roles-1-organisation": str(organisation.pk),
            },
        ),
    )

    assert response.status_code == 302
    objectives = list(draft.objectives.order_by("position").values_list("position", "text"))
    assert objectives == [
        (1, "Hold every partner to account."),
        (2, "Agree the plan."),
        (3, "Report to the partners' boards."),
    ]
    roles = list(draft.roles.order_by("position").values_list("position", "title", "voting", "organisation"))
    assert roles == [(1, "Chair", True, None), (2, "Leader of the council", True, organisation.pk)]
    page = secretariat.get(url).content.decode()
    assert "The draft was saved." in page
    assert "Removed" in page and "Added" in page
    assert "Text: “Hold partners to account.” → “Hold every partner to account.”" in page
    changed = draft.objectives.get(text="Hold every partner to account.")
    assert events(changed)[-1].user_id == secretariat.user.pk


def test_adding_a_row_without_javascript_shows_the_page_again_as_typed_and_saves_nothing(secretariat, draft):
    url = reverse("edit-terms-of-reference", args=[draft.pk])
    opened = secretariat.get(url)

    response = secretariat.post(
        url, draft_page_data(opened, purpose="My new purpose", add_row="objectives", quorum_count="x")
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert len(response.context["objectives"].forms) == 5  # three, the empty row, and the one added
    assert 'name="objectives-4-text"' in html and "My new purpose" in html
    assert "There is a problem" not in html  # adding a row is not a save: nothing is wrong yet
    draft.refresh_from_db()
    assert draft.revision == 1 and draft.objectives.count() == 3


def test_adding_a_row_with_htmx_answers_only_the_new_row(secretariat, draft):
    url = reverse("edit-terms-of-reference", args=[draft.pk])
    data = draft_page_data(secretariat.get(url), add_row="roles")

    response = secretariat.post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith("<tr")
    assert 'name="roles-2-title"' in html and 'name="roles-1-title"' not in html
    assert 'id="id_roles-TOTAL_FORMS"' in html and 'value="3"' in html and 'hx-swap-oob="true"' in html
    assert draft.roles.count() == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"objectives-1-text": ""}, "Objective 2: Enter objective."),
        ({"roles-0-title": "t" * 301}, "Role 1: Ensure this value has at most 300 characters"),
        ({"roles-0-category": "boss"}, "Role 1: Select a valid choice."),
        ({"roles-1-organisation": "abc", "roles-1-title": "Someone"}, "Role 2: Select a valid choice."),
    ],
)
def test_bad_objectives_or_roles_come_back_with_errors_and_the_input_kept(
    secretariat, draft, changes, message
):
    url = reverse("edit-terms-of-reference", args=[draft.pk])

    response = secretariat.post(url, draft_page_data(secretariat.get(url), purpose="Kept purpose", **changes))
    html = response.content.decode()

    assert response.status_code == 400
    assert "There is a problem" in html and message in html and "Kept purpose" in html
    assert draft.objectives.count() == 3 and draft.roles.count() == 1
    assert TermsOfReference.objects.get(pk=draft.pk).revision == 1


def test_a_stale_objective_is_refused_and_nothing_written(secretariat, draft):
    url = reverse("edit-terms-of-reference", args=[draft.pk])
    opened = secretariat.get(url)
    TermsOfReferenceObjective.objects.filter(terms_of_reference=draft, position=2).update(
        text="Changed elsewhere"
    )

    response = secretariat.post(
        url, draft_page_data(opened, purpose="Mine", **{"objectives-1-text": "Mine too"})
    )

    assert response.status_code == 409
    assert "was changed or removed by someone else" in response.content.decode()
    draft.refresh_from_db()
    assert draft.purpose != "Mine"
    assert draft.objectives.get(position=2).text == "Changed elsewhere"


def test_a_row_removed_by_someone_else_is_a_conflict(secretariat, draft):
    url = reverse("edit-terms-of-reference", args=[draft.pk])
    opened = secretariat.get(url)
    TermsOfReferenceObjective.objects.filter(terms_of_reference=draft, position=3).delete()

    response = secretariat.post(url, draft_page_data(opened, **{"objectives-2-text": "Edited"}))

    assert response.status_code == 409
    assert draft.objectives.count() == 2


def test_an_approved_versions_objectives_are_not_changed_by_the_service(draft):
    bodies_services.terms_of_reference_approve(
        terms_of_reference=draft, approved_on=datetime.date(2019, 1, 1)
    )
    objective = draft.objectives.get(position=1)
    objective.text = "Rewritten"

    with pytest.raises(Exception, match="start a new version"):
        bodies_services.terms_of_reference_draft_parts_update(
            terms_of_reference=draft, objectives=bodies_services.DraftPartChanges(save=[objective])
        )
    assert draft.objectives.get(position=1).text == "Set the strategy."


# -- one draft per body ----------------------------------------------------------------------------
def test_the_database_refuses_a_second_draft_for_a_body(draft):
    with pytest.raises(IntegrityError, match="terms_of_reference_one_draft_per_body"), transaction.atomic():
        TermsOfReference.objects.create(body=draft.body, version=3, status=TermsOfReference.Status.DRAFT)


def test_the_service_refuses_a_second_draft_and_allows_one_after_approval(draft):
    with pytest.raises(Exception, match=r"already has a draft of its terms of reference \(version 2\)"):
        bodies_services.terms_of_reference_new_version(body=draft.body, based_on=draft)
    assert draft.body.terms_of_reference.count() == 1

    bodies_services.terms_of_reference_approve(
        terms_of_reference=draft, approved_on=datetime.date(2019, 1, 1)
    )
    again = bodies_services.terms_of_reference_new_version(body=draft.body, based_on=draft)
    assert (again.version, again.status, again.objectives.count()) == (3, "draft", 3)


def test_the_api_refuses_a_second_draft_with_a_400_and_the_reason(draft):
    client = APIClient()
    client.force_authenticate(user_with_role(draft.body.partnership, "secretariat"))

    created = client.post(
        reverse("api:termsofreference-list"), {"body": draft.body_id, "purpose": "Another"}, format="json"
    )
    copied = client.post(reverse("api:termsofreference-new-version", args=[draft.pk]))

    for response in (created, copied):
        assert response.status_code == 400, response.content
        assert "already has a draft" in str(response.json())
    assert draft.body.terms_of_reference.count() == 1


def test_the_page_refuses_a_second_draft_with_the_reason(secretariat, draft):
    url = reverse("edit-terms-of-reference-new-version", args=[draft.body_id])

    opened = secretariat.get(url)
    response = secretariat.post(url)

    assert "There is already a draft" in opened.content.decode()
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "There is a problem" in html and "already has a draft of its terms of reference (version 2)" in html
    )
    assert draft.body.terms_of_reference.count() == 1


# -- meetings: another attendance row ------------------------------------------------------------
def meeting_data(response, **changes) -> dict:
    data = form_data(response)
    data.update(formset_data(response.context["formset"]))
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_another_attendance_row_without_javascript_keeps_the_input(secretariat, board):
    url = reverse("edit-meeting-create", args=[board.pk])
    opened = secretariat.get(url)

    response = secretariat.post(url, meeting_data(opened, place="The hall", add_row="attendance"))
    html = response.content.decode()

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 4
    assert 'name="attendance-3-person"' in html and 'value="The hall"' in html
    assert "There is a problem" not in html
    assert not Meeting.objects.filter(body=board).exists()


def test_another_attendance_row_with_htmx_is_only_the_row(secretariat, board):
    url = reverse("edit-meeting-create", args=[board.pk])
    member = factories.AppointmentFactory(body=board).person

    response = secretariat.post(
        url, meeting_data(secretariat.get(url), add_row="attendance"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()

    assert response.status_code == 200 and "<html" not in html
    assert 'name="attendance-3-person"' in html and member.name in html
    assert 'id="id_attendance-TOTAL_FORMS"' in html and 'value="4"' in html
    assert not Meeting.objects.filter(body=board).exists()


def test_a_meeting_saved_with_an_added_row_records_it(secretariat, board):
    people = [factories.AppointmentFactory(body=board).person for _ in range(4)]
    url = reverse("edit-meeting-create", args=[board.pk])
    grown = secretariat.post(url, meeting_data(secretariat.get(url), add_row="attendance"))
    rows = {f"attendance-{n}-person": str(person.pk) for n, person in enumerate(people)}

    response = secretariat.post(
        url, meeting_data(grown, starts_at="2018-03-01T10:00", status="held", add_row=None, **rows)
    )

    assert response.status_code == 302, response.context["formset_errors"]
    assert Meeting.objects.get(body=board).attendances.count() == 4


# -- people --------------------------------------------------------------------------------------
def test_a_person_is_added_and_changed_with_history(secretariat, ours):
    url = reverse("edit-person-create", args=[ours.pk])
    opened = secretariat.get(url)
    assert "user" not in opened.context["form"].fields  # the account link is for administrators

    created = secretariat.post(
        url, form_data(opened, name="Ann Example", email="ann@example.nhs.uk", user=str(secretariat.user.pk))
    )
    person = Person.objects.get(name="Ann Example")
    assert created.status_code == 302 and created["Location"] == reverse("edit-person", args=[person.pk])
    assert person.user is None

    url = reverse("edit-person", args=[person.pk])
    changed = secretariat.post(url, form_data(secretariat.get(url), email="ann.example@nhs.net"))
    person.refresh_from_db()
    assert changed.status_code == 302 and person.email == "ann.example@nhs.net"
    page = secretariat.get(url).content.decode()
    assert "Email: “ann@example.nhs.uk” → “ann.example@nhs.net”" in page
    assert [e.user_id for e in events(person)] == [secretariat.user.pk, secretariat.user.pk]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "Enter name."),
        ({"email": "not an address"}, "email", "Enter a valid email address."),
        ({"name": "n" * 201}, "name", "at most 200 characters"),
    ],
)
def test_bad_input_to_a_person_is_a_field_error_with_the_input_kept(
    secretariat, ours, changes, field, message
):
    person = factories.AppointmentFactory(body__partnership=ours).person
    url = reverse("edit-person", args=[person.pk])

    response = secretariat.post(url, form_data(secretariat.get(url), note="My careful note", **changes))

    assert response.status_code == 400
    assert any(message in error for error in errors_of(response)[field])
    assert "My careful note" in response.content.decode()
    assert Person.objects.get(pk=person.pk).revision == 1


def test_a_stale_person_save_is_refused(secretariat, ours):
    person = factories.AppointmentFactory(body__partnership=ours).person
    url = reverse("edit-person", args=[person.pk])
    opened = secretariat.get(url)
    Person.objects.filter(pk=person.pk).update(email="elsewhere@nhs.net")

    response = secretariat.post(url, form_data(opened, email="mine@nhs.net"))

    assert response.status_code == 409
    assert Person.objects.get(pk=person.pk).email == "elsewhere@nhs.net"


def test_a_person_also_in_another_partnership_is_changed_only_by_a_secretariat_of_both(client, ours, theirs):
    person = factories.AppointmentFactory(body__partnership=ours).person
    factories.AppointmentFactory(body__partnership=theirs, person=person)
    url = reverse("edit-person", args=[person.pk])
    ours_only, both = user_with_role(ours, "secretariat"), user_with_role(ours, "secretariat")
    grant_role(user=both, partnership=theirs, role="secretariat")

    client.force_login(ours_only)
    refused = client.post(url, {"name": "Taken over", "expected_revision": "1"})
    client.force_login(both)
    allowed = client.post(url, form_data(client.get(url), name="Renamed by both"))

    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert Person.objects.get(pk=person.pk).name == "Renamed by both"


def test_the_people_list_has_constant_queries(secretariat, ours, board, django_assert_max_num_queries):
    url = reverse("edit-people", args=[ours.pk])
    factories.AppointmentFactory(body=board)
    with CaptureQueriesContext(connection) as few:
        assert secretariat.get(url).status_code == 200
    for _ in range(10):
        factories.AppointmentFactory(body=board)
    shared = factories.AppointmentFactory(body=board).person
    factories.AppointmentFactory(body__partnership=factories.PartnershipFactory(), person=shared)
    with django_assert_max_num_queries(len(few)):
        response = secretariat.get(url)
    page = response.context["page"]
    assert len(page) == 12
    assert [p.editable for p in page if p.pk == shared.pk] == [False]
    assert reverse("edit-person", args=[shared.pk]) not in response.content.decode()


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


# -- rescinding a decision -----------------------------------------------------------------------
@pytest.fixture
def decision(ours):
    return factories.DecisionFactory(body__partnership=ours)


def test_a_decision_is_rescinded_with_the_reason_and_stays_on_record(secretariat, decision):
    url = reverse("edit-decision-rescind", args=[decision.pk])
    on = decision.decided_on + datetime.timedelta(days=7)

    response = secretariat.post(
        url,
        form_data(secretariat.get(url), reason="Recorded against the wrong matter.", rescinded_on=str(on)),
    )

    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.rescinded_on, decision.rescission_reason) == (
        "rescinded",
        on,
        "Recorded against the wrong matter.",
    )
    page = secretariat.get(reverse("edit-decision", args=[decision.pk])).content.decode()
    assert "Rescinded on" in page and "Recorded against the wrong matter." in page
    assert "Status: “" in page and "→ “Rescinded”" in page
    assert events(decision)[-1].user_id == secretariat.user.pk


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"reason": ""}, "reason", "Enter why the decision is rescinded."),
        ({"reason": "r" * 20001}, "reason", "at most 20000 characters"),
        ({"reason": "Wrong", "rescinded_on": "2000-01-01"}, "rescinded_on", "before it was taken"),
        ({"reason": "Wrong", "rescinded_on": "2019-02-30"}, "rescinded_on", "Enter a valid date."),
    ],
)
def test_a_bad_rescission_is_refused_with_the_input_kept(secretariat, decision, changes, field, message):
    url = reverse("edit-decision-rescind", args=[decision.pk])

    response = secretariat.post(url, form_data(secretariat.get(url), **changes))

    assert response.status_code == 400
    assert any(message in error for error in errors_of(response)[field]), errors_of(response)
    assert Decision.objects.get(pk=decision.pk).status != "rescinded"


def test_a_stale_rescission_is_refused(secretariat, decision):
    url = reverse("edit-decision-rescind", args=[decision.pk])
    opened = secretariat.get(url)
    Decision.objects.filter(pk=decision.pk).update(minute_reference="Changed elsewhere")

    response = secretariat.post(url, form_data(opened, reason="Wrong matter"))

    assert response.status_code == 409
    assert Decision.objects.get(pk=decision.pk).status != "rescinded"


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


def test_the_roles_formset_offers_only_organisations_the_user_may_see(secretariat, draft):
    response = secretariat.get(reverse("edit-terms-of-reference", args=[draft.pk]))
    assert response.context["roles"].forms[0].fields["organisation"].queryset.model.__name__ == "Organisation"
    assert TermsOfReferenceRole.objects.filter(terms_of_reference=draft).count() == 1

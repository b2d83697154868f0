"""Editing terms of reference: a version drafted, changed and approved; a draft's objectives
and roles (added, changed, removed; a row added with htmx or without JavaScript); one draft per
body, refused in the database, the service, the API and the page."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from bodies import services as bodies_services
from bodies.models import (
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
)
from tests import factories
from tests.editing import draft_page_data, errors_of, events, form_data, formset_data
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(board):
    terms = factories.TermsOfReferenceFactory(body=board, version=2)
    for position, text in enumerate(["Set the strategy.", "Hold partners to account.", "Agree the plan."], 1):
        factories.TermsOfReferenceObjectiveFactory(terms_of_reference=terms, position=position, text=text)
    factories.TermsOfReferenceRoleFactory(terms_of_reference=terms, position=1, title="Chair", is_chair=True)
    return terms


# -- terms of reference --------------------------------------------------------------------------
def test_a_new_version_is_drafted_changed_and_approved_superseding_the_last(secretariat, board):
    v1 = factories.TermsOfReferenceFactory(body=board, version=1, approved=True)
    factories.TermsOfReferenceObjectiveFactory(terms_of_reference=v1, position=1)
    approver = factories.BodyFactory(partnership=board.partnership, name="Approving Board")

    started = secretariat.post(reverse("edit-terms-of-reference-new-version", args=[board.pk]))
    draft = board.terms_of_reference.get(version=2)
    assert started.status_code == 302 and started["Location"] == reverse(
        "edit-terms-of-reference", args=[draft.pk]
    )
    assert draft.status == "draft" and draft.objectives.count() == 1

    url = reverse("edit-terms-of-reference", args=[draft.pk])
    opened = secretariat.get(url)
    saved = secretariat.post(
        url,
        {
            **form_data(opened, purpose="To lead the integrated care system."),
            **formset_data(opened.context["objectives"]),
            **formset_data(opened.context["roles"]),
        },
    )
    draft.refresh_from_db()
    assert saved.status_code == 302 and draft.purpose == "To lead the integrated care system."

    url = reverse("edit-terms-of-reference-approve", args=[draft.pk])
    approved = secretariat.post(
        url, form_data(secretariat.get(url), approved_on="2019-04-01", approved_by=str(approver.pk))
    )
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert approved.status_code == 302
    assert (draft.status, draft.effective_from, draft.approved_by) == (
        "approved",
        datetime.date(2019, 4, 1),
        approver,
    )
    assert (v1.status, v1.effective_to) == ("superseded", datetime.date(2019, 3, 31))
    history = secretariat.get(reverse("edit-terms-of-reference", args=[draft.pk]))
    assert history.status_code == 409  # approved: the record of what applied, not edited
    assert [e.pgh_label for e in events(draft)] == ["insert", "update", "update"]


def test_an_approved_version_is_not_edited(secretariat, board):
    v1 = factories.TermsOfReferenceFactory(body=board, version=1, approved=True, purpose="As approved.")

    response = secretariat.post(reverse("edit-terms-of-reference", args=[v1.pk]), {"purpose": "Rewritten"})

    assert response.status_code == 409 and "Start a new version" in response.content.decode()
    v1.refresh_from_db()
    assert v1.purpose == "As approved." and v1.revision == 1


def test_approval_refused_by_the_service_shows_its_reason_on_the_field(secretariat, board):
    factories.TermsOfReferenceFactory(
        body=board, version=1, approved=True, effective_from=datetime.date(2019, 1, 1)
    )
    draft = factories.TermsOfReferenceFactory(body=board, version=2)
    url = reverse("edit-terms-of-reference-approve", args=[draft.pk])

    response = secretariat.post(url, form_data(secretariat.get(url), approved_on="2018-06-01"))

    assert response.status_code == 400
    assert "Version 1 is in force from 1 January 2019" in errors_of(response)["effective_from"][0]
    assert 'value="2018-06-01"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_stale_approval_is_refused(secretariat, board):
    draft = factories.TermsOfReferenceFactory(body=board, version=1)
    url = reverse("edit-terms-of-reference-approve", args=[draft.pk])
    opened = secretariat.get(url)
    TermsOfReference.objects.filter(pk=draft.pk).update(purpose="Changed while I read it")

    response = secretariat.post(url, form_data(opened, approved_on="2019-04-01"))

    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"


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


def test_the_roles_formset_offers_only_organisations_the_user_may_see(secretariat, draft):
    response = secretariat.get(reverse("edit-terms-of-reference", args=[draft.pk]))
    assert response.context["roles"].forms[0].fields["organisation"].queryset.model.__name__ == "Organisation"
    assert TermsOfReferenceRole.objects.filter(terms_of_reference=draft).count() == 1

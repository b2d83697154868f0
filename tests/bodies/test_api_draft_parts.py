"""Objectives and roles over the API change only while their terms of reference are a draft."""

import pytest
from django.urls import reverse

from bodies.models import TermsOfReferenceObjective
from core.access import grant_role
from tests import factories
from tests.platform.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat_of():
    def make(partnership):
        user = factories.UserFactory()
        grant_role(user=user, partnership=partnership, role="secretariat")
        return client_for(user)

    return make


def test_an_approved_versions_objectives_are_the_record_and_do_not_change(secretariat_of):
    approved = factories.TermsOfReferenceFactory(approved=True)
    objective = factories.TermsOfReferenceObjectiveFactory(terms_of_reference=approved, text="As approved")
    api = secretariat_of(approved.body.partnership)
    detail = reverse("api:termsofreferenceobjective-detail", args=[objective.pk])

    changed = api.patch(detail, {"text": "Rewritten"}, format="json", HTTP_IF_MATCH="*")
    added = api.post(
        reverse("api:termsofreferenceobjective-list"),
        {"terms_of_reference": approved.pk, "position": 9, "text": "Slipped in"},
        format="json",
    )
    removed = api.delete(detail, HTTP_IF_MATCH="*")
    role_added = api.post(
        reverse("api:termsofreferencerole-list"),
        {"terms_of_reference": approved.pk, "position": 1, "title": "Chair", "category": "member"},
        format="json",
    )

    for response in (changed, added, removed, role_added):
        assert response.status_code == 400, response.content
        assert "start a new version to change it" in str(response.json())
    assert list(approved.objectives.values_list("text", flat=True)) == ["As approved"]
    assert not approved.roles.exists()


def test_a_drafts_objectives_change_over_the_api(secretariat_of):
    draft = factories.TermsOfReferenceFactory()
    api = secretariat_of(draft.body.partnership)

    added = api.post(
        reverse("api:termsofreferenceobjective-list"),
        {"terms_of_reference": draft.pk, "position": 1, "text": "To agree the plan"},
        format="json",
    )

    assert added.status_code == 201, added.content
    assert TermsOfReferenceObjective.objects.get(terms_of_reference=draft).text == "To agree the plan"

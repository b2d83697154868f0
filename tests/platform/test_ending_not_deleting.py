"""Effective-dated records are ended, not deleted; evidence is never deleted.

One rule (core/effective_dating.py `deletion_refusal`) for the API and the admin: a
record that was in force is given its last day (effective_to). Only a registry administrator
deletes one entered in error, giving the reason, which the history keeps with the delete event.
"""

import pghistory.models
import pytest
from django.contrib import admin
from django.urls import reverse

from bodies import models
from core.access import grant_registry_administrator
from core.effective_dating import EffectiveDated
from decisions import models as decision_models
from stp_governance.api.urls import router
from tests import factories
from tests.platform.conftest import client_for
from tests.platform.test_cross_tenant import BUILDERS

pytestmark = pytest.mark.django_db

EFFECTIVE_DATED = [
    (prefix, viewset)
    for prefix, viewset, _ in router.registry
    if issubclass(viewset.queryset.model, EffectiveDated) and viewset.deletable
]
EVIDENCE = (
    decision_models.Decision,
    decision_models.Ratification,
    models.Signature,
    decision_models.Declaration,
)


def in_force(model, partnership):
    """A record of `model` that was in force (terms of reference: an approved version)."""
    if model is models.TermsOfReference:
        return factories.TermsOfReferenceFactory(body__partnership=partnership, approved=True)
    return BUILDERS[model](partnership)


@pytest.fixture
def registry_administrator():
    user = factories.UserFactory()
    grant_registry_administrator(user=user)
    return user


def delete_event(record):
    return pghistory.models.Events.objects.filter(
        pgh_obj_model=record._meta.label, pgh_obj_id=str(record.pk), pgh_label="delete"
    ).first()


@pytest.mark.parametrize(("prefix", "viewset"), EFFECTIVE_DATED, ids=[p for p, _ in EFFECTIVE_DATED])
def test_the_api_refuses_to_delete_an_effective_dated_record_and_says_end_it(
    prefix, viewset, partnership_a, secretariat_a
):
    record = in_force(viewset.queryset.model, partnership_a)
    url = reverse(f"api:{router.get_default_basename(viewset)}-detail", args=[record.pk])

    response = client_for(secretariat_a).delete(f"{url}?reason=Mistake", HTTP_IF_MATCH="*")

    assert response.status_code == 403
    assert "ended, not deleted" in response.json()["detail"]
    assert "effective_to" in response.json()["detail"]
    assert type(record).objects.filter(pk=record.pk).exists()


def test_a_registry_administrator_deletes_one_entered_in_error_with_the_reason(
    partnership_a, registry_administrator
):
    membership = factories.MembershipFactory(partnership=partnership_a)
    api = client_for(registry_administrator)
    url = reverse("api:membership-detail", args=[membership.pk])

    without = api.delete(url, HTTP_IF_MATCH="*")
    assert without.status_code == 400
    assert list(without.json()) == ["reason"]
    assert models.Membership.objects.filter(pk=membership.pk).exists()

    deleted = api.delete(f"{url}?reason=Entered+for+the+wrong+organisation", HTTP_IF_MATCH="*")

    assert deleted.status_code == 204
    assert not models.Membership.objects.filter(pk=membership.pk).exists()
    event = delete_event(membership)
    assert event.pgh_context["reason"] == "Entered for the wrong organisation"
    assert event.pgh_context["user"] == registry_administrator.pk


def test_a_draft_never_in_force_is_deleted_like_any_work_in_progress(partnership_a, secretariat_a):
    draft = factories.TermsOfReferenceFactory(body__partnership=partnership_a)
    assert draft.status == models.TermsOfReference.Status.DRAFT

    response = client_for(secretariat_a).delete(
        reverse("api:termsofreference-detail", args=[draft.pk]), HTTP_IF_MATCH="*"
    )

    assert response.status_code == 204


def test_the_admin_deletes_only_for_a_registry_administrator_giving_the_reason(
    client, partnership_a, secretariat_a, registry_administrator
):
    membership = factories.MembershipFactory(partnership=partnership_a)
    url = reverse("admin:bodies_membership_delete", args=[membership.pk])
    changelist = reverse("admin:bodies_membership_changelist")

    client.force_login(secretariat_a)
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes", "reason": "Mistake"}).status_code == 403

    client.force_login(registry_administrator)
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="reason"' in page.content
    without = client.post(url, {"post": "yes"}, follow=True)
    assert b"Say why this record is deleted" in without.content
    assert models.Membership.objects.filter(pk=membership.pk).exists()
    action_form = client.get(changelist).context["action_form"]
    assert action_form is None or "delete_selected" not in dict(action_form.fields["action"].choices)

    client.post(url, {"post": "yes", "reason": "Duplicate of another row"})

    assert not models.Membership.objects.filter(pk=membership.pk).exists()
    assert delete_event(membership).pgh_context["reason"] == "Duplicate of another row"


@pytest.mark.parametrize("parent", [models.Partnership, models.Body], ids=lambda m: m.__name__)
def test_an_inline_never_offers_to_delete_an_effective_dated_record(
    parent, rf, partnership_a, registry_administrator
):
    request = rf.get("/")
    request.user = registry_administrator
    record = (
        partnership_a if parent is models.Partnership else factories.BodyFactory(partnership=partnership_a)
    )
    inlines = [
        inline
        for inline in admin.site._registry[parent].get_inline_instances(request, record)
        if issubclass(inline.model, EffectiveDated)
    ]

    assert inlines
    for inline in inlines:
        assert not inline.has_delete_permission(request), inline
        assert not inline.has_delete_permission(request, record), inline


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda m: m.__name__)
def test_evidence_is_never_deleted_by_the_api_or_the_admin(model, rf):
    superuser = factories.UserFactory(is_superuser=True)
    viewsets = [viewset for _, viewset, _ in router.registry if viewset.queryset.model is model]
    request = rf.get("/")
    request.user = superuser

    assert viewsets and not any(viewset.deletable for viewset in viewsets)
    assert not admin.site._registry[model].has_delete_permission(request)

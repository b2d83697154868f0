"""The admin for secretariats: every changelist is constant in queries, forms refuse bad input."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bodies.models import Membership, TermsOfReference
from tests.editing import body_admin_data
from tests.factories import (
    AppointmentFactory,
    BodyRelationshipFactory,
    MembershipFactory,
    SignatureFactory,
    TermsOfReferenceFactory,
)

pytestmark = pytest.mark.django_db

BODIES_ADMINS = [model for model in admin.site._registry if model._meta.app_label == "bodies"]


def add_rows(count: int) -> None:
    for _ in range(count):
        MembershipFactory()
        AppointmentFactory(deputy=AppointmentFactory().person)
        BodyRelationshipFactory()
        SignatureFactory()
        TermsOfReferenceFactory(approved=True)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", BODIES_ADMINS, ids=lambda m: m._meta.model_name)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model, django_assert_max_num_queries):
    url = reverse(f"admin:bodies_{model._meta.model_name}_changelist")
    add_rows(2)
    baseline = queries_for(admin_client, url)

    add_rows(8)

    with django_assert_max_num_queries(baseline):
        assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("model", BODIES_ADMINS, ids=lambda m: m._meta.model_name)
def test_add_and_change_pages_render(admin_client, model):
    # Proposed organisation changes come from secretariats' pages only: the admin applies or declines them.
    adding = 403 if model._meta.model_name == "organisationchangeproposal" else 200
    assert admin_client.get(reverse(f"admin:bodies_{model._meta.model_name}_add")).status_code == adding
    instance = model.objects.first()
    if instance is not None:
        url = reverse(f"admin:bodies_{model._meta.model_name}_change", args=[instance.pk])
        response = admin_client.get(url)
        assert response.status_code == 200
        assert len(response.content) < 300 * 1024


def test_an_overlapping_membership_is_a_form_error_and_nothing_is_saved(admin_client):
    existing = MembershipFactory(effective_from=datetime.date(2017, 4, 1))
    response = admin_client.post(
        reverse("admin:bodies_membership_add"),
        {
            "partnership": existing.partnership.pk,
            "organisation": existing.organisation.pk,
            "standing": "associate",
            "status": "confirmed",
            "effective_from": "2018-01-01",
            "note": "",
        },
    )

    assert response.status_code == 200
    assert "overlaps" in response.content.decode()
    assert Membership.objects.filter(organisation=existing.organisation).count() == 1


def test_bad_dates_are_form_errors_not_crashes(admin_client):
    existing = MembershipFactory()
    response = admin_client.post(
        reverse("admin:bodies_membership_add"),
        {
            "partnership": existing.partnership.pk,
            "organisation": "not-a-number",
            "standing": "party_to",
            "status": "confirmed",
            "effective_from": "2018-02-30",
            "effective_to": "\x00",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() >= {"organisation", "effective_from"}


def test_organisation_autocomplete_finds_by_name(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "bodies",
            "model_name": "membership",
            "field_name": "organisation",
            "term": "Chesterfield",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "Chesterfield Royal Hospital NHS Foundation Trust"
    ]


def test_approve_action_supersedes_through_the_service(admin_client):
    v1 = TermsOfReferenceFactory(approved=True, version=1)
    v2 = TermsOfReferenceFactory(body=v1.body, version=2)

    admin_client.post(
        reverse("admin:bodies_termsofreference_changelist"),
        {"action": "approve_today", "_selected_action": [v2.pk]},
    )

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (TermsOfReference.Status.SUPERSEDED, TermsOfReference.Status.APPROVED)


def test_signatures_cannot_be_deleted_through_their_agreement(admin_client):
    signature = SignatureFactory()
    response = admin_client.get(reverse("admin:bodies_agreement_delete", args=[signature.agreement.pk]))

    assert response.status_code == 403


def test_a_stale_save_in_the_admin_is_refused_and_nothing_is_lost(admin_client):
    from bodies.models import Body
    from tests.factories import BodyFactory

    body = BodyFactory(name="Opened version", description="")
    url = reverse("admin:bodies_body_change", args=[body.pk])
    form = admin_client.get(url).context["adminform"].form
    assert form.initial.get("expected_revision", form.fields["expected_revision"].initial) == 1
    Body.objects.filter(pk=body.pk).update(description="Someone else's change")

    response = admin_client.post(
        url,
        body_admin_data(body, name="My change", expected_revision=1),
    )

    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    body.refresh_from_db()
    assert (body.name, body.description) == ("Opened version", "Someone else's change")


def test_a_fresh_save_in_the_admin_succeeds_and_is_audited(admin_client):
    import pghistory.models

    from tests.factories import BodyFactory

    body = BodyFactory(name="Opened version")
    url = reverse("admin:bodies_body_change", args=[body.pk])

    response = admin_client.post(
        url,
        body_admin_data(body, name="My change", expected_revision=1),
    )

    assert response.status_code == 302
    body.refresh_from_db()
    assert (body.name, body.revision) == ("My change", 2)
    last = pghistory.models.MiddlewareEvents.objects.tracks(body).get(pgh_label="update")
    assert last.pgh_diff["name"] == ["Opened version", "My change"]
    assert last.user is not None


@pytest.mark.parametrize("rows", [5, 150])
def test_a_partnerships_and_an_agreements_forms_stay_small_however_many_members(admin_client, rows):
    from tests.factories import AgreementFactory, MembershipFactory, PartnershipFactory, SignatureFactory

    partnership = PartnershipFactory()
    agreement = AgreementFactory(partnership=partnership)
    for _ in range(rows):
        membership = MembershipFactory(partnership=partnership)
        SignatureFactory(agreement=agreement, organisation=membership.organisation)

    forms = [
        admin_client.get(reverse("admin:bodies_partnership_change", args=[partnership.pk])),
        admin_client.get(reverse("admin:bodies_agreement_change", args=[agreement.pk])),
    ]

    for response in forms:
        assert response.status_code == 200
        assert len(response.content) < 100 * 1024, len(response.content)
    listed = forms[0].content.decode()
    first = partnership.memberships.order_by("organisation__name", "id").first()
    assert reverse("admin:bodies_membership_change", args=[first.pk]) in listed
    assert ("The first 100 are shown." in listed) == (rows > 100)

"""Organisations kept by secretariats: added from the membership form, changed where every partnership
is theirs, proposed to an administrator otherwise; pickers through the same access rules."""

import pytest
from django.urls import reverse

from bodies.models import Membership, Organisation, OrganisationChangeProposal
from bodies.organisations import apply_organisation_proposal
from tests.factories import AppointmentFactory, MembershipFactory, OrganisationFactory
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


def test_adding_an_organisation_from_the_membership_form_returns_to_it_with_it_chosen(secretariat, ours):
    membership_form = reverse("edit-membership-create", args=[ours.pk])
    page = secretariat.get(membership_form).content.decode()
    add = reverse("edit-organisation-create", args=[ours.pk])
    assert f'href="{add}?next=' in page and "Add a new organisation" in page

    response = secretariat.post(
        f"{add}?next={membership_form}",
        {"name": "Derbyshire Voluntary Action", "kind": "voluntary_sector", "ods_code": "",
         "next": membership_form},
    )  # fmt: skip
    organisation = Organisation.objects.get(name="Derbyshire Voluntary Action")
    assert response.status_code == 302
    assert response["Location"] == f"{membership_form}?organisation={organisation.pk}"
    back = secretariat.get(response["Location"])
    assert back.context["form"]["organisation"].value() == str(organisation.pk)
    assert "It is chosen below" in back.content.decode()

    saved = secretariat.post(
        membership_form,
        {"organisation": organisation.pk, "standing": "associate", "status": "confirmed",
         "effective_from": "2026-12-01"},
    )  # fmt: skip
    assert saved.status_code == 302
    assert Membership.objects.get(organisation=organisation, partnership=ours).standing == "associate"


def test_next_never_leaves_the_site(secretariat, ours):
    add = reverse("edit-organisation-create", args=[ours.pk])
    response = secretariat.post(add, {"name": "Elsewhere", "kind": "other", "next": "https://evil.example/"})
    assert response["Location"] == reverse(
        "edit-organisation", args=[Organisation.objects.get(name="Elsewhere").pk]
    )


def test_ods_codes_are_checked_on_the_form(secretariat, ours):
    OrganisationFactory(ods_code="ZTG")
    add = reverse("edit-organisation-create", args=[ours.pk])
    clash = secretariat.post(add, {"name": "Clash", "kind": "nhs_trust", "ods_code": "ztg"})
    assert clash.status_code == 400
    assert "Another organisation already has this ODS code." in clash.content.decode()
    bad = secretariat.post(add, {"name": "Bad", "kind": "nhs_trust", "ods_code": "R T"})
    assert bad.status_code == 400
    assert "3 to 10 letters and digits" in bad.content.decode()


def test_a_shared_organisation_is_proposed_and_an_administrator_applies_it(secretariat, ours, administrator):
    shared = MembershipFactory(partnership=ours).organisation
    MembershipFactory(organisation=shared)  # another partnership's member too
    assert secretariat.get(reverse("edit-organisation", args=[shared.pk])).status_code == 403
    listing = secretariat.get(reverse("edit-organisations", args=[ours.pk])).content.decode()
    assert reverse("edit-organisation-propose", args=[shared.pk]) in listing

    propose = reverse("edit-organisation-propose", args=[shared.pk])
    data = {"name": shared.name, "kind": shared.kind, "is_statutory": "on", "ods_code": "ZX1",
            "reason": "ODS register"}  # fmt: skip
    assert secretariat.post(propose, data).status_code == 302
    shared.refresh_from_db()
    assert shared.ods_code is None  # nothing changes until an administrator applies it
    proposal = OrganisationChangeProposal.objects.get(organisation=shared)
    assert proposal.changes == {"ods_code": "ZX1"}

    apply_organisation_proposal(proposal=proposal, user=administrator)
    shared.refresh_from_db()
    assert shared.ods_code == "ZX1"


def test_an_organisation_only_in_our_partnership_is_ours_to_change(secretariat, ours):
    mine = MembershipFactory(partnership=ours).organisation
    url = reverse("edit-organisation", args=[mine.pk])
    page = secretariat.get(url)
    data = {"name": "Renamed Trust", "kind": mine.kind, "is_statutory": "on", "ods_code": "zy8",
            "expected_revision": mine.revision}  # fmt: skip
    response = secretariat.post(url, data)
    assert page.status_code == 200 and response.status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.ods_code) == ("Renamed Trust", "ZY8")


def test_pickers_answer_through_the_access_rules(secretariat, ours, client):
    org = MembershipFactory(
        partnership=ours, organisation__name="Pickable Trust", organisation__ods_code="RPK"
    ).organisation
    person = AppointmentFactory(body__partnership=ours, person__name="Pat Pickable", representing=org).person
    found = secretariat.get(reverse("pick-organisations"), {"q": "rpk"}).json()["results"]
    assert [row["label"] for row in found] == ["Pickable Trust (NHS trust, ODS RPK)"]
    people = secretariat.get(reverse("pick-people"), {"q": "pickable"}).json()["results"]
    assert [(row["id"], row["label"]) for row in people] == [(person.pk, "Pat Pickable (Pickable Trust)")]

    from tests.factories import UserFactory

    client.force_login(UserFactory())  # no role anywhere: reads nothing
    assert client.get(reverse("pick-organisations"), {"q": "pick"}).json()["results"] == []
    assert client.get(reverse("pick-people"), {"q": "pick"}).json()["results"] == []


def test_the_appointment_form_shows_each_persons_organisation(secretariat, ours, board):
    org = MembershipFactory(partnership=ours, organisation__name="Shown Trust").organisation
    AppointmentFactory(body=board, person__name="Sam Shown", representing=org)
    page = secretariat.get(reverse("edit-appointment-create", args=[board.pk])).content.decode()
    assert "Sam Shown (Shown Trust)" in page
    assert 'data-picker="/pick/people/"' in page


def test_viewer_cannot_use_the_pickers_beyond_reading(client, ours):
    client.force_login(user_with_role(ours, "viewer"))
    assert client.get(reverse("pick-organisations")).status_code == 200


@pytest.mark.parametrize("name", ["edit-organisations", "pick-organisations", "pick-people"])
def test_query_counts_do_not_grow_with_rows(name, secretariat, ours, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(name, args=[ours.pk]) if name.startswith("edit-") else reverse(name)

    def add(count):
        for _ in range(count):
            org = MembershipFactory(partnership=ours).organisation
            AppointmentFactory(body__partnership=ours, representing=org)

    add(2)
    with CaptureQueriesContext(connection) as baseline:
        assert secretariat.get(url).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(baseline)):
        assert secretariat.get(url).status_code == 200


def test_the_organisation_page_offers_change_or_proposal(secretariat, ours):
    mine = MembershipFactory(partnership=ours).organisation
    shared = MembershipFactory(partnership=ours).organisation
    MembershipFactory(organisation=shared)
    mine_page = secretariat.get(reverse("organisation-detail", args=[mine.pk])).content.decode()
    shared_page = secretariat.get(reverse("organisation-detail", args=[shared.pk])).content.decode()
    assert reverse("edit-organisation", args=[mine.pk]) in mine_page
    assert reverse("edit-organisation-propose", args=[shared.pk]) in shared_page
    assert f'href="{reverse("edit-organisation", args=[shared.pk])}"' not in shared_page

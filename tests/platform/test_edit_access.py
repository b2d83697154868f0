"""Who may edit: every editing page is in the access matrix; another partnership's records are
404 (shared reference data 403), read-only roles get 403, and edit links show only to those
who may edit."""

import pytest
from django.urls import URLPattern, reverse

from stp_governance import page_urls
from tests import factories
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


# -- who may edit --------------------------------------------------------------------------------
# Every editing page, with how to make the record it edits in a given partnership.
EDIT_PAGES = {
    "edit-body-create": lambda p: p,
    "edit-body": lambda p: factories.BodyFactory(partnership=p),
    "edit-terms-of-reference-new-version": lambda p: factories.BodyFactory(partnership=p),
    "edit-terms-of-reference": lambda p: factories.TermsOfReferenceFactory(body__partnership=p),
    "edit-terms-of-reference-approve": lambda p: factories.TermsOfReferenceFactory(body__partnership=p),
    "edit-memberships": lambda p: p,
    "edit-membership-create": lambda p: p,
    "edit-membership": lambda p: factories.MembershipFactory(partnership=p),
    "edit-membership-end": lambda p: factories.MembershipFactory(partnership=p),
    "edit-appointments": lambda p: factories.BodyFactory(partnership=p),
    "edit-appointment-create": lambda p: factories.BodyFactory(partnership=p),
    "edit-appointment": lambda p: factories.AppointmentFactory(body__partnership=p),
    "edit-appointment-end": lambda p: factories.AppointmentFactory(body__partnership=p),
    "edit-meetings": lambda p: factories.BodyFactory(partnership=p),
    "edit-meeting-create": lambda p: factories.BodyFactory(partnership=p),
    "edit-meeting": lambda p: factories.MeetingFactory(body__partnership=p),
    "edit-decision-create": lambda p: factories.BodyFactory(partnership=p),
    "edit-decision": lambda p: factories.DecisionFactory(body__partnership=p),
    "edit-ratification": lambda p: factories.RatificationFactory(decision__body__partnership=p),
    "edit-risks": lambda p: p,
    "edit-risk-create": lambda p: p,
    "edit-risk": lambda p: factories.RiskFactory(register__partnership=p),
    "edit-risk-review": lambda p: factories.RiskFactory(register__partnership=p),
    "edit-risk-escalate": lambda p: factories.RiskFactory(register__partnership=p),
    "edit-people": lambda p: p,
    "edit-public-site": lambda p: p,
    "edit-person-create": lambda p: p,
    "edit-person": lambda p: factories.AppointmentFactory(body__partnership=p).person,
    "edit-decision-rescind": lambda p: factories.DecisionFactory(body__partnership=p),
    "edit-risk-registers": lambda p: p,
    "edit-risk-register-create": lambda p: p,
    "edit-risk-register": lambda p: factories.RiskRegisterFactory(partnership=p),
    "edit-risk-escalation-respond": lambda p: factories.RiskEscalationFactory(risk__register__partnership=p),
    "edit-risk-escalation-de-escalate": lambda p: factories.RiskEscalationFactory(
        risk__register__partnership=p
    ),
    "edit-partnership-roles": lambda p: p,
    # Issue 17: organisations and imports.
    "edit-organisations": lambda p: p,
    "edit-organisation-create": lambda p: p,
    "edit-organisation": lambda p: factories.MembershipFactory(partnership=p).organisation,
    "edit-organisation-propose": lambda p: factories.MembershipFactory(partnership=p).organisation,
    "edit-ods-import": lambda p: p,
    "edit-appointment-replace": lambda p: factories.AppointmentFactory(body__partnership=p),
    "edit-workbook-import": lambda p: p,
    "edit-workbook-template": lambda p: p,
}
# Shared reference data (docs/decisions/0002): anyone with a role reads a person, so another
# partnership's person is found but not theirs to change (403, not 404).
SHARED_REFERENCE_PAGES = {"edit-person", "edit-organisation"}


def test_every_editing_page_is_in_the_access_matrix():
    names = {
        p.name for p in page_urls.urlpatterns if isinstance(p, URLPattern) and p.name.startswith("edit-")
    }
    assert names == set(EDIT_PAGES)


@pytest.mark.parametrize("name", sorted(EDIT_PAGES))
def test_another_partnerships_records_are_not_found(name, secretariat, theirs):
    record = EDIT_PAGES[name](theirs)
    url = reverse(name, args=[record.pk])
    before = type(record).objects.get(pk=record.pk).revision
    expected = 403 if name in SHARED_REFERENCE_PAGES else 404

    assert secretariat.get(url).status_code == expected
    assert secretariat.post(url, {"name": "Taken over", "expected_revision": before}).status_code == expected
    assert type(record).objects.get(pk=record.pk).revision == before


@pytest.mark.parametrize("role", ["viewer", "member"])
@pytest.mark.parametrize("name", sorted(EDIT_PAGES))
def test_read_only_roles_may_not_edit_their_own_partnerships_records(name, role, client, ours):
    record = EDIT_PAGES[name](ours)
    client.force_login(user_with_role(ours, role))
    url = reverse(name, args=[record.pk])
    before = type(record).objects.get(pk=record.pk).revision

    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Changed", "expected_revision": before}).status_code == 403
    assert type(record).objects.get(pk=record.pk).revision == before


def test_edit_links_show_only_to_those_who_may_edit(client, ours, board):
    body_url, partnership_url = (
        reverse("body-detail", args=[board.pk]),
        reverse("partnership-detail", args=[ours.pk]),
    )
    client.force_login(user_with_role(ours, "viewer"))
    viewer_body, viewer_partnership = (
        client.get(body_url).content.decode(),
        client.get(partnership_url).content.decode(),
    )
    client.force_login(user_with_role(ours, "secretariat"))
    secretariat_body = client.get(body_url).content.decode()
    secretariat_partnership = client.get(partnership_url).content.decode()

    assert reverse("edit-body", args=[board.pk]) not in viewer_body
    assert reverse("edit-memberships", args=[ours.pk]) not in viewer_partnership
    assert reverse("edit-body", args=[board.pk]) in secretariat_body
    assert reverse("edit-appointments", args=[board.pk]) in secretariat_body
    assert reverse("edit-memberships", args=[ours.pk]) in secretariat_partnership

"""The home page per person, the checks list its counts lead to, and the first administrator."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.access import is_registry_administrator, partnership_scope
from core.models import PartnershipRole
from tests import factories
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


def seated_member(partnership, body, representing=None):
    user = user_with_role(partnership, "member")
    person = factories.PersonFactory(name="Seated Person", user=user)
    factories.AppointmentFactory(body=body, person=person, representing=representing)
    return user, person


def test_a_member_sees_their_bodies_meetings_and_what_their_organisation_owes(client, ours, board):
    decision = factories.DecisionFactory(body=board, status="awaiting_ratification")
    owed = factories.RatificationFactory(decision=decision)
    user, _person = seated_member(ours, board, representing=owed.organisation)
    meeting = factories.MeetingFactory(
        body=board, starts_at=timezone.now() + datetime.timedelta(days=3), status="scheduled"
    )
    client.force_login(user)

    response = client.get(reverse("home"))

    [panel] = response.context["panels"]
    assert [a.body for a in panel["appointments"]] == [board]
    assert panel["meetings"] == [meeting]
    assert [(row["organisation_id"], row["outstanding"]) for row in panel["owed"]] == [
        (owed.organisation_id, 1)
    ]
    html = response.content.decode()
    assert "Your bodies (1)" in html and reverse("body-detail", args=[board.pk]) in html
    assert reverse("notification-list") in html
    assert f"{reverse('organisation-detail', args=[owed.organisation_id])}#ratifications-owed" in html


def test_the_member_panel_query_count_does_not_grow_with_bodies(client, ours, django_assert_max_num_queries):
    board = factories.BodyFactory(partnership=ours)
    user, person = seated_member(ours, board)
    client.force_login(user)

    def grow(n):
        for _ in range(n):
            body = factories.BodyFactory(partnership=ours)
            factories.AppointmentFactory(body=body, person=person)
            factories.MeetingFactory(body=body, starts_at=timezone.now() + datetime.timedelta(days=n + 2))

    grow(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    grow(6)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("home"))


def test_a_registry_administrator_sees_partnerships_and_accounts_needing_attention(admin_client, ours):
    factories.UserFactory(username="no-role-yet")
    html = admin_client.get(reverse("home")).content.decode()

    assert "Registry administration" in html
    assert f"{reverse('admin:auth_user_changelist')}?role=none" in html
    assert reverse("edit-partnership-roles", args=[ours.pk]) in html  # no secretariat yet
    roleless = admin_client.get(f"{reverse('admin:auth_user_changelist')}?role=none").content.decode()
    assert "no-role-yet" in roleless
    assert f"{reverse('admin:auth_user_changelist')}?two_factor=missing" in html
    missing = admin_client.get(f"{reverse('admin:auth_user_changelist')}?two_factor=missing").content.decode()
    assert "no-role-yet" not in missing and "admin" in missing


def test_the_check_counts_lead_to_the_list_they_count(client, ours, theirs):
    factories.TermsOfReferenceFactory(
        body__partnership=ours,
        status="approved",
        approved_on=datetime.date(2017, 1, 1),
        effective_from=datetime.date(2017, 1, 1),
        next_review_due=datetime.date(2018, 1, 1),
    )
    client.force_login(user_with_role(ours, "viewer"))

    home = client.get(reverse("home")).content.decode()
    checks = client.get(reverse("partnership-checks", args=[ours.pk]))

    assert f"{reverse('partnership-checks', args=[ours.pk])}#terms-of-reference" in home
    assert "Terms of reference overdue for review (1)" in checks.content.decode()
    assert client.get(reverse("partnership-checks", args=[theirs.pk])).status_code == 404


def test_the_first_registry_administrator_is_made_once(db):
    get_user_model().objects.filter(is_superuser=True).update(is_superuser=False)
    out = io.StringIO()

    call_command("make_first_administrator", email="Ada@NHS.net", stdout=out)

    ada = get_user_model().objects.get(email="ada@nhs.net")
    assert is_registry_administrator(ada) and not ada.has_usable_password()
    assert "/password/reset/" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("make_first_administrator", email="grace@nhs.net", stdout=io.StringIO())


def test_a_partnerships_first_administrator_is_made_once(ours):
    call_command(
        "make_first_administrator", email="lead@nhs.net", partnership=ours.slug, stdout=io.StringIO()
    )

    lead = get_user_model().objects.get(email="lead@nhs.net")
    assert PartnershipRole.objects.get(user=lead).role == "administrator"
    assert partnership_scope(lead, "manage_roles") == {ours.pk}
    with pytest.raises(CommandError):
        call_command(
            "make_first_administrator", email="other@nhs.net", partnership=ours.slug, stdout=io.StringIO()
        )


def test_the_urgent_decisions_count_leads_to_its_list(client):
    partnership = factories.PartnershipFactory(name="Urgent Partnership")
    body = factories.BodyFactory(partnership=partnership, name="Urgent Board")
    urgent = factories.DecisionFactory(
        body=body,
        meeting=None,
        urgent=True,
        urgency_reason="Could not wait",
        decided_on=datetime.date(2019, 3, 4),
    )
    factories.MeetingFactory(body=body, starts_at=datetime.datetime(2019, 4, 1, 10, tzinfo=datetime.UTC))
    client.force_login(user_with_role(partnership, "viewer"))

    home = client.get(reverse("home")).content.decode()
    checks = client.get(reverse("partnership-checks", args=[partnership.pk])).content.decode()

    assert f"{reverse('partnership-checks', args=[partnership.pk])}#urgent-decisions" in home
    assert "(1)</h2>" in checks and reverse("decision-detail", args=[urgent.pk]) in checks


def test_a_member_sees_their_next_meetings_papers_and_their_overdue_actions(
    client, ours, board, settings, tmp_path
):
    from meetings import services
    from tests.meetings.conftest import pdf_upload

    settings.MEDIA_ROOT = tmp_path
    user, person = seated_member(ours, board)
    meeting = factories.MeetingFactory(
        body=board, starts_at=timezone.now() + datetime.timedelta(days=3), status="scheduled"
    )
    item = factories.AgendaItemFactory(meeting=meeting, title="Budget")
    version = services.paper_upload(agenda_item=item, upload=pdf_upload("Budget"), title="Budget paper")
    held = factories.MeetingFactory(body=board, starts_at=timezone.now() - datetime.timedelta(days=30))
    action = services.action_add(
        agenda_item=factories.AgendaItemFactory(meeting=held),
        description="Send the revised plan to the partners",
        owner=person,
        due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    client.force_login(user)

    html = client.get(reverse("home")).content.decode()

    assert reverse("meeting-detail", args=[meeting.pk]) in html
    assert reverse("meeting-paper", args=[version.paper_id]) in html and "Budget paper" in html
    assert reverse("meeting-action", args=[action.pk]) in html and "Send the revised plan" in html

"""Roles are records, and the only source of what an account may do on a partnership."""

import pghistory.models
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from bodies.models import Body
from core.access import grant_role, partnership_scope, restrict
from core.models import PartnershipRole
from core.roles import grantable_roles, role_end_now, role_set
from core.tokens import api_token_issue
from tests import factories
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db


def test_a_group_named_like_a_role_grants_nothing(ours, board):
    user = factories.UserFactory()
    group = Group.objects.create(name=f"{ours.slug}: secretariat")
    for codename in ("view_partnership", "view_restricted_records", "change_partnership_records"):
        assign_perm(f"bodies.{codename}", group, ours)  # even with the old object permissions
    user.groups.add(group)

    assert partnership_scope(user, "view") == set()
    assert partnership_scope(user, "change") == set()
    assert not restrict(Body.objects.filter(pk=board.pk), user).exists()


def test_a_role_record_grants_its_permissions_and_nothing_more(ours, theirs):
    user = user_with_role(ours, "member")

    assert partnership_scope(user, "view") == {ours.pk}
    assert partnership_scope(user, "view_restricted") == {ours.pk}
    assert partnership_scope(user, "change") == set()
    assert partnership_scope(user, "manage_roles") == set()


def test_a_role_that_has_not_started_or_has_ended_grants_nothing(ours):
    user = factories.UserFactory()
    now = timezone.now()
    PartnershipRole.objects.create(
        user=user, partnership=ours, role="viewer", starts_at=now - timezone.timedelta(days=9),
        ends_at=now - timezone.timedelta(days=1),
    )  # fmt: skip
    PartnershipRole.objects.create(
        user=user, partnership=ours, role="secretariat", starts_at=now + timezone.timedelta(days=1)
    )
    assert partnership_scope(user, "view") == set()


def test_ending_a_role_removes_access_at_once_including_tokens(client, ours, board):
    user = user_with_role(ours, "secretariat")
    secretary = user_with_role(ours, "administrator")
    _token, raw_key = api_token_issue(name="System", user=user, partnership=ours, read_only=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    client.force_login(user)
    body_url = reverse("body-detail", args=[board.pk])
    assert client.get(body_url).status_code == 200
    assert api.get(f"/api/v1/bodies/{board.pk}/").status_code == 200

    role_end_now(user=user, partnership=ours, by=secretary)

    assert client.get(body_url).status_code == 404
    assert api.get(f"/api/v1/bodies/{board.pk}/").status_code == 404
    assert ours.name not in client.get(reverse("home")).content.decode()


def test_nobody_grants_a_role_above_their_own(ours):
    secretariat = user_with_role(ours, "secretariat")
    someone = factories.UserFactory()

    assert grantable_roles(secretariat, ours.pk) == ["secretariat", "member", "viewer"]
    with pytest.raises(PermissionDenied):
        role_set(user=someone, partnership=ours, role="administrator", by=secretariat)
    administrator = user_with_role(ours, "administrator")
    with pytest.raises(PermissionDenied):  # nor changes or ends the role of someone above them
        role_set(user=administrator, partnership=ours, role="viewer", by=secretariat)
    with pytest.raises(PermissionDenied):
        role_end_now(user=administrator, partnership=ours, by=secretariat)
    assert partnership_scope(someone, "view") == set()
    assert PartnershipRole.objects.get(user=administrator, ends_at__isnull=True).role == "administrator"


def test_nobody_grants_a_role_outside_their_partnership(ours, theirs):
    administrator = user_with_role(ours, "administrator")
    someone = factories.UserFactory()

    with pytest.raises(PermissionDenied):
        role_set(user=someone, partnership=theirs, role="viewer", by=administrator)
    member = user_with_role(ours, "member")
    with pytest.raises(PermissionDenied):  # members and viewers grant nothing
        role_set(user=someone, partnership=ours, role="viewer", by=member)
    assert partnership_scope(someone, "view") == set()


def test_the_staff_page_refuses_a_role_above_ones_own_and_another_partnership(client, ours, theirs):
    secretariat = user_with_role(ours, "secretariat")
    someone = factories.UserFactory(email="someone@example.org")
    client.force_login(secretariat)
    url = reverse("edit-partnership-roles", args=[ours.pk])

    above = client.post(url, {"action": "grant", "grant-email": someone.email, "grant-role": "administrator"})
    elsewhere = client.post(
        reverse("edit-partnership-roles", args=[theirs.pk]),
        {"action": "grant", "grant-email": someone.email, "grant-role": "viewer"},
    )

    assert above.status_code == 400
    assert elsewhere.status_code == 404
    assert not PartnershipRole.objects.filter(user=someone).exists()


def test_the_staff_page_grants_changes_and_ends_roles(client, ours):
    secretariat = user_with_role(ours, "secretariat")
    someone = factories.UserFactory(email="someone@example.org")
    client.force_login(secretariat)
    url = reverse("edit-partnership-roles", args=[ours.pk])

    assert (
        client.post(
            url, {"action": "grant", "grant-email": "SOMEONE@example.org", "grant-role": "member"}
        ).status_code
        == 302
    )
    record = PartnershipRole.objects.get(user=someone, ends_at__isnull=True)
    assert (record.role, record.granted_by) == ("member", secretariat)
    assert client.post(url, {"action": "change", "record": record.pk, "role": "viewer"}).status_code == 302
    changed = PartnershipRole.objects.get(user=someone, ends_at__isnull=True)
    assert changed.role == "viewer"
    assert client.post(url, {"action": "end", "record": changed.pk}).status_code == 302

    assert partnership_scope(someone, "view") == set()
    history = list(PartnershipRole.objects.filter(user=someone).order_by("starts_at", "id"))
    assert [(r.role, r.granted_by, r.ended_by) for r in history] == [
        ("member", secretariat, secretariat),
        ("viewer", secretariat, secretariat),
    ]


def test_every_role_change_is_in_the_history_with_who_made_it(client, ours):
    secretariat = user_with_role(ours, "secretariat")
    someone = factories.UserFactory(email="someone@example.org")
    client.force_login(secretariat)
    url = reverse("edit-partnership-roles", args=[ours.pk])

    client.post(url, {"action": "grant", "grant-email": someone.email, "grant-role": "member"})
    record = PartnershipRole.objects.get(user=someone)
    client.post(url, {"action": "end", "record": record.pk})

    events = list(pghistory.models.Events.objects.tracks(record).order_by("pgh_created_at", "pgh_id"))
    assert [event.pgh_label for event in events] == ["insert", "update"]
    assert {str(event.pgh_context["user"]) for event in events} == {str(secretariat.pk)}
    assert events[1].pgh_data["ends_at"] is not None


def test_one_role_at_a_time_on_a_partnership(ours):
    user = user_with_role(ours, "member")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipRole.objects.create(user=user, partnership=ours, role="viewer")
    with pytest.raises(ValidationError):
        PartnershipRole(user=user, partnership=ours, role="viewer").full_clean()


def test_grant_role_still_works_for_seeds_and_tests(ours):
    user = factories.UserFactory()
    grant_role(user=user, partnership=ours, role="secretariat")
    grant_role(user=user, partnership=ours, role="secretariat")  # idempotent

    assert PartnershipRole.objects.filter(user=user).count() == 1
    assert partnership_scope(user, "change") == {ours.pk}


def test_the_people_and_roles_page_query_count_does_not_grow(client, ours, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.invitations import invitation_create

    secretariat = user_with_role(ours, "secretariat")
    client.force_login(secretariat)
    url = reverse("edit-partnership-roles", args=[ours.pk])

    def grow(n):
        for _ in range(n):
            user = factories.UserFactory()
            role_set(user=user, partnership=ours, role="member", by=secretariat)
            invitation_create(
                email=f"{user.username}@nhs.net", partnership=ours, role="viewer", by=secretariat
            )

    grow(1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(8)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_the_registry_administrators_group_grants_nothing_a_record_does(ours, board):
    from core.access import grant_registry_administrator, is_registry_administrator

    user = factories.UserFactory()
    user.groups.add(Group.objects.create(name="Registry administrators"))
    assert not is_registry_administrator(user)
    assert partnership_scope(user, "view") == set()

    grant_registry_administrator(user=user)

    assert is_registry_administrator(user)
    assert partnership_scope(user, "change") is None


def test_roles_are_managed_on_the_partnerships_admin_page_by_registry_administrators_only(
    admin_client, client, ours
):
    holder = user_with_role(ours, "member")
    url = reverse("admin:bodies_partnership_change", args=[ours.pk])

    assert holder.username in admin_client.get(url).content.decode()
    assert "account_roles-TOTAL_FORMS" in admin_client.get(url).content.decode()
    client.force_login(user_with_role(ours, "secretariat"))
    assert "account_roles-TOTAL_FORMS" not in client.get(url).content.decode()


def test_the_migration_turns_role_groups_and_the_administrators_group_into_records(ours):
    import importlib

    from django.apps import apps

    from core.access import is_registry_administrator

    roles = importlib.import_module("core.migrations.0005_accounts_roles_invitations_sessions")
    administrators = importlib.import_module("core.migrations.0006_registry_administrator_records")
    both = factories.UserFactory()
    administrator = factories.UserFactory()
    both.groups.add(Group.objects.create(name=f"{ours.slug}: member"))
    both.groups.add(Group.objects.create(name=f"{ours.slug}: secretariat"))
    administrator.groups.add(Group.objects.create(name="Registry administrators"))

    roles.roles_from_groups(apps, None)
    administrators.administrators_from_group(apps, None)

    assert partnership_scope(both, "change") == {ours.pk}  # the higher of the two
    assert is_registry_administrator(administrator)


def test_a_role_granted_until_a_day_ends_after_it(client, ours):
    import datetime

    secretariat = user_with_role(ours, "secretariat")
    someone = factories.UserFactory(email="until@example.org")
    client.force_login(secretariat)
    until = timezone.localdate() + datetime.timedelta(days=30)

    client.post(
        reverse("edit-partnership-roles", args=[ours.pk]),
        {
            "action": "grant",
            "grant-email": someone.email,
            "grant-role": "viewer",
            "grant-until": until.isoformat(),
        },
    )

    record = PartnershipRole.objects.get(user=someone)
    assert timezone.localtime(record.ends_at).date() == until + datetime.timedelta(days=1)
    assert partnership_scope(someone, "view") == {ours.pk}
    assert "until" in client.get(reverse("edit-partnership-roles", args=[ours.pk])).content.decode()

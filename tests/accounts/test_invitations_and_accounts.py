"""Invitations (single-use, expiring, re-sent, revoked), deactivation, account pages, two-factor."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from core import tasks
from core.access import partnership_scope
from core.models import ApiToken, Invitation, OutboxMessage, PartnershipSecurity
from core.tokens import api_token_issue
from tests import factories
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough password 42"


def run_invitation_emails():
    """What the worker does: each queued invitation email, through its Celery task."""
    for message in OutboxMessage.objects.filter(task="core.tasks.send_invitation_email").order_by("id"):
        tasks.send_invitation_email.apply(kwargs=message.kwargs)


def invite(client, partnership, email="new.person@nhs.net", role="member"):
    url = reverse("edit-partnership-roles", args=[partnership.pk])
    return client.post(
        url, {"action": "invite", "invite-email": email, "invite-name": "New Person", "invite-role": role}
    )


def sign_in(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def test_an_invitation_is_emailed_by_the_worker_and_accepted_once(client, secretariat, ours):
    person = factories.PersonFactory(name="New Person", email="New.Person@nhs.net")
    assert invite(secretariat, ours).status_code == 302
    run_invitation_emails()
    run_invitation_emails()  # a message delivered twice is sent once

    [message] = mail.outbox
    assert message.to == ["new.person@nhs.net"]
    path = link_in(message).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "Join Our Partnership" in page.content.decode()

    accepted = client.post(
        "/" + path, {"username": "newperson", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert accepted.status_code == 302
    user = get_user_model().objects.get(username="newperson")
    assert partnership_scope(user, "view") == {ours.pk}
    person.refresh_from_db()
    assert person.user == user  # linked to the registry's record of them by email
    client.logout()
    again = client.get("/" + path)
    assert "This invitation does not work" in again.content.decode()  # single use


def test_resending_replaces_the_link_and_revoking_ends_it(client, secretariat, ours):
    invite(secretariat, ours)
    run_invitation_emails()
    invitation = Invitation.objects.get()
    url = reverse("edit-partnership-roles", args=[ours.pk])

    secretariat.post(url, {"action": "resend", "invitation": invitation.pk})
    run_invitation_emails()
    first, second = (link_in(m) for m in mail.outbox)
    assert first != second
    assert "does not work" in client.get(first).content.decode()
    assert "Create my account" in client.get(second).content.decode()

    secretariat.post(url, {"action": "revoke", "invitation": invitation.pk})
    assert "does not work" in client.get(second).content.decode()
    page = secretariat.get(url).content.decode()
    assert "Revoked" in page


def test_an_expired_invitation_is_refused_and_shown_expired(client, secretariat, ours):
    invite(secretariat, ours)
    run_invitation_emails()
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = client.get(link_in(mail.outbox[0]))

    assert response.status_code == 410
    assert "Expired" in secretariat.get(reverse("edit-partnership-roles", args=[ours.pk])).content.decode()


def test_a_secretariat_may_not_invite_above_its_role(secretariat, ours):
    response = invite(secretariat, ours, role="administrator")
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_deactivating_an_account_ends_its_sessions_and_tokens_at_once(client, admin_client, ours, board):
    user = user_with_role(ours, "member")
    user.set_password(PASSWORD)
    user.save()
    sign_in(client, user)  # the session is recorded at sign-in
    token, raw_key = api_token_issue(name="System", user=user, partnership=ours)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert api.get(f"/api/v1/bodies/{board.pk}/").status_code == 200

    admin_client.post(
        reverse("admin:auth_user_changelist"), {"action": "deactivate", "_selected_action": [user.pk]}
    )

    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert api.get(f"/api/v1/bodies/{board.pk}/").status_code in (401, 403)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_the_admin_user_list_hides_the_anonymous_placeholder(admin_client):
    html = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "AnonymousUser" not in html


def test_my_tokens_are_made_within_my_role_and_revoked(client, ours):
    member = user_with_role(ours, "viewer")
    client.force_login(member)
    url = reverse("account-tokens")

    refused = client.post(url, {"name": "Mine", "partnership": ours.pk, "access": "write", "days": 90})
    made = client.post(url, {"name": "Mine", "partnership": ours.pk, "access": "read", "days": 90})

    assert refused.status_code == 400
    assert made.status_code == 200 and "shown only once" in made.content.decode()
    token = ApiToken.objects.get(user=member)
    assert token.read_only
    client.post(url, {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_my_sessions_lists_and_ends_another_session(client, ours):
    from django.test import Client

    user = user_with_role(ours, "viewer")
    user.set_password(PASSWORD)
    user.save()
    other = Client()
    sign_in(other, user)
    sign_in(client, user)
    page = client.get(reverse("account-sessions"))
    assert page.content.decode().count("End this session") == 1
    key = other.session.session_key

    client.post(reverse("account-sessions"), {"end": key})

    assert other.get(reverse("home")).status_code == 302


def test_my_roles_and_profile(client, ours):
    user = user_with_role(ours, "member")
    client.force_login(user)
    assert "Our Partnership" in client.get(reverse("account-roles")).content.decode()
    client.post(reverse("account"), {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@nhs.net"})
    user.refresh_from_db()
    assert (user.first_name, user.email) == ("Ada", "ada@nhs.net")


# -- two-factor authentication ---------------------------------------------------------------------
def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_registry_administrator_enrols_and_the_admin_is_behind_it(client):
    admin = factories.UserFactory(is_superuser=True)
    client.force_login(admin)

    first = client.get(reverse("admin:index"))
    assert first.status_code == 302 and first["Location"].startswith(reverse("two-factor-enrol"))
    client.get(reverse("two-factor-enrol"))
    device = TOTPDevice.objects.get(user=admin)
    enrolled = client.post(reverse("two-factor-enrol"), {"code": current_code(device)})
    codes = enrolled.context["codes"]

    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    client.force_login(admin)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two-factor-verify"))
    client.post(reverse("two-factor-verify"), {"code": codes[0]})  # a recovery code, once
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    client.force_login(admin)
    assert client.post(reverse("two-factor-verify"), {"code": codes[0]}).status_code == 200  # refused
    assert client.get(reverse("home")).status_code == 302


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_secretariat_needs_it_where_its_partnership_says_so(client, ours, theirs):
    secretariat = user_with_role(ours, "secretariat")
    member = user_with_role(ours, "member")
    client.force_login(secretariat)
    assert client.get(reverse("home")).status_code == 200

    PartnershipSecurity.objects.create(partnership=ours, staff_two_factor=True)

    assert client.get(reverse("home")).status_code == 302
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_provider_that_asserted_mfa_is_not_asked_twice(client):
    admin = factories.UserFactory(is_superuser=True)
    client.force_login(admin)
    session = client.session
    session["sso_mfa"] = True
    session.save()

    assert client.get(reverse("home")).status_code == 200


def test_someone_signed_in_with_the_invited_address_accepts_as_that_account(client, secretariat, ours):
    invite(secretariat, ours, email="sso.person@nhs.net")
    run_invitation_emails()
    account = factories.UserFactory(email="sso.person@nhs.net")  # made by a first single sign-on
    client.force_login(account)
    link = link_in(mail.outbox[0])

    assert "Accept as" in client.get(link).content.decode()
    client.post(link, {"as_signed_in": "1"})

    assert partnership_scope(account, "view") == {ours.pk}
    assert Invitation.objects.get().accepted_by == account

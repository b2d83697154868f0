"""Single sign-on end to end against a real OpenID provider (tests/oidc_provider.py)."""

from urllib.parse import urlsplit

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from core.access import partnership_scope
from tests import factories
from tests.oidc_provider import oidc_provider  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def sign_in_through(client, provider, sub: str):
    """The browser's part: our start page, the provider's form, back to our callback."""
    start = client.get(reverse("sso-start"))
    assert start.status_code == 302 and start["Location"].startswith(provider.url)
    answer = httpx.post(start["Location"], data={"sub": sub}, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    callback = urlsplit(answer.headers["location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_a_person_signs_in_with_their_verified_email(client, oidc_provider):  # noqa: F811
    user = factories.UserFactory(email="ada.lovelace@nhs.net")
    oidc_provider.set_user("ada", email="Ada.Lovelace@nhs.net", email_verified=True, amr=["pwd"])

    with oidc_provider.settings():
        response = sign_in_through(client, oidc_provider, "ada")
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get(reverse("home")).context["user"] == user
        assert client.session["sso_mfa"] is False


def test_an_unverified_email_signs_no_one_in(client, oidc_provider):  # noqa: F811
    factories.UserFactory(email="grace@nhs.net")
    oidc_provider.set_user("grace", email="grace@nhs.net", email_verified=False)

    with oidc_provider.settings():
        response = sign_in_through(client, oidc_provider, "grace")
        assert "sso=failed" in response["Location"]
        assert client.get(reverse("home")).status_code == 302


def test_first_sign_in_makes_an_account_with_no_role_and_links_the_person(client, oidc_provider):  # noqa: F811
    person = factories.PersonFactory(email="new.starter@nhs.net")
    oidc_provider.set_user("new", email="new.starter@nhs.net", email_verified=True)

    with oidc_provider.settings(OIDC_CREATE_USER=True):
        sign_in_through(client, oidc_provider, "new")

    user = get_user_model().objects.get(email="new.starter@nhs.net")
    assert partnership_scope(user, "view") == set()
    person.refresh_from_db()
    assert person.user == user


def test_a_group_claim_maps_to_a_role(client, oidc_provider, ours):  # noqa: F811
    oidc_provider.set_user(
        "mapped", email="mapped@nhs.net", email_verified=True, groups=["g-secretariat", "unrelated"]
    )

    with oidc_provider.settings(
        OIDC_CREATE_USER=True, OIDC_GROUP_ROLES=f"g-secretariat={ours.slug}:secretariat"
    ):
        sign_in_through(client, oidc_provider, "mapped")

    user = get_user_model().objects.get(email="mapped@nhs.net")
    assert partnership_scope(user, "change") == {ours.pk}


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_provider_asserting_mfa_spares_our_second_factor(client, oidc_provider):  # noqa: F811
    factories.UserFactory(email="admin@nhs.net", is_superuser=True)
    oidc_provider.set_user("admin", email="admin@nhs.net", email_verified=True, amr=["pwd", "mfa"])

    with oidc_provider.settings():
        sign_in_through(client, oidc_provider, "admin")
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_provider_without_mfa_leaves_our_second_factor(client, oidc_provider):  # noqa: F811
    factories.UserFactory(email="admin2@nhs.net", is_superuser=True)
    oidc_provider.set_user("admin2", email="admin2@nhs.net", email_verified=True, amr=["pwd"])

    with oidc_provider.settings():
        sign_in_through(client, oidc_provider, "admin2")
        assert client.get(reverse("home"))["Location"].startswith(reverse("two-factor-enrol"))


def test_an_invited_person_signs_in_with_sso_and_accepts(client, oidc_provider, ours):  # noqa: F811
    from django.core import mail

    from core.invitations import invitation_create
    from core.models import Invitation
    from tests.accounts.test_invitations_and_accounts import link_in, run_invitation_emails
    from tests.platform.conftest import user_with_role

    invitation_create(
        email="invited.sso@nhs.net", partnership=ours, role="member", by=user_with_role(ours, "secretariat")
    )
    run_invitation_emails()
    link = link_in(mail.outbox[0])
    oidc_provider.set_user("invited", email="invited.sso@nhs.net", email_verified=True)

    with oidc_provider.settings():  # OIDC_CREATE_USERS off: only the invitation lets it make the account
        assert "Sign in with your NHS.net account" in client.get(link).content.decode()
        sign_in_through(client, oidc_provider, "invited")
        client.post(link, {"as_signed_in": "1"})

    user = get_user_model().objects.get(email="invited.sso@nhs.net")
    assert partnership_scope(user, "view") == {ours.pk}
    assert Invitation.objects.get().accepted_by == user


def test_without_an_invitation_sso_makes_no_account_when_creation_is_off(client, oidc_provider):  # noqa: F811
    oidc_provider.set_user("stranger", email="stranger@nhs.net", email_verified=True)

    with oidc_provider.settings():
        sign_in_through(client, oidc_provider, "stranger")

    assert not get_user_model().objects.filter(email="stranger@nhs.net").exists()

"""API tokens: hashed at rest, bound to a partnership, expiring and revocable at once."""

import datetime
import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bodies import models
from core.access import grant_registry_administrator, grant_role, revoke_role
from core.models import ApiToken, hash_token_key
from core.tokens import api_token_issue, api_token_revoke
from tests import factories

pytestmark = pytest.mark.django_db


def bearer(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


@pytest.fixture
def system_user(partnership_a):
    """The account a system's token acts as: a secretariat of partnership A (a token never
    grants more than its account's roles)."""
    user = factories.UserFactory(is_staff=False, username="trust-intranet")
    grant_role(user=user, partnership=partnership_a, role="secretariat")
    return user


def test_only_the_hash_is_stored(system_user, partnership_a):
    token, raw_key = api_token_issue(name="Intranet", user=system_user, partnership=partnership_a)

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token_key(raw_key)
    assert raw_key not in {str(value) for value in stored.__dict__.values()}
    assert stored.key_prefix == raw_key[:12]
    assert len(raw_key) > 40


def test_a_token_reads_only_its_partnership(system_user, partnership_a, partnership_b):
    ours = factories.BodyFactory(partnership=partnership_a)
    theirs = factories.BodyFactory(partnership=partnership_b)
    _, raw_key = api_token_issue(name="Intranet", user=system_user, partnership=partnership_a)
    client = bearer(raw_key)

    ids = {row["id"] for row in client.get(reverse("api:body-list"), {"limit": 1000}).json()["results"]}

    assert ours.pk in ids and theirs.pk not in ids
    assert client.get(reverse("api:body-detail", args=[theirs.pk])).status_code == 404


def test_a_read_only_token_cannot_write(system_user, partnership_a):
    body = factories.BodyFactory(partnership=partnership_a)
    _, raw_key = api_token_issue(
        name="Dashboard", user=system_user, partnership=partnership_a, read_only=True
    )
    client = bearer(raw_key)

    response = client.patch(
        reverse("api:body-detail", args=[body.pk]), {"name": "Renamed"}, format="json", HTTP_IF_MATCH="*"
    )
    created = client.post(
        reverse("api:body-list"),
        {"partnership": partnership_a.pk, "name": "New", "slug": "new", "kind": "board"},
    )

    assert response.status_code == 403
    assert created.status_code == 403
    body.refresh_from_db()
    assert body.name != "Renamed"


def test_a_read_write_token_writes_in_its_partnership_and_history_names_its_account(
    system_user, partnership_a
):
    body = factories.BodyFactory(partnership=partnership_a)
    _, raw_key = api_token_issue(name="Sync", user=system_user, partnership=partnership_a, read_only=False)
    client = bearer(raw_key)
    url = reverse("api:body-detail", args=[body.pk])

    response = client.patch(
        url, {"name": "Renamed by sync"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"]
    )

    assert response.status_code == 200
    last = client.get(reverse("api:body-history", args=[body.pk])).json()[-1]
    assert (last["label"], last["user"]) == ("update", system_user.pk)


def test_a_national_token_reads_everything_and_writes_nothing(partnership_a, partnership_b):
    administrator = factories.UserFactory(is_staff=False, username="national-return")
    grant_registry_administrator(user=administrator)
    body = factories.BodyFactory(partnership=partnership_b)
    _, raw_key = api_token_issue(name="National return", user=administrator, partnership=None, read_only=True)
    client = bearer(raw_key)

    assert client.get(reverse("api:body-detail", args=[body.pk])).status_code == 200
    assert client.delete(reverse("api:body-detail", args=[body.pk]), HTTP_IF_MATCH="*").status_code == 403


def test_a_national_token_reads_only_what_its_account_may_read(system_user, partnership_a, partnership_b):
    ours = factories.BodyFactory(partnership=partnership_a)
    theirs = factories.BodyFactory(partnership=partnership_b)
    _, raw_key = api_token_issue(name="National return", user=system_user, partnership=None, read_only=True)
    _, roleless_key = api_token_issue(
        name="No role", user=factories.UserFactory(), partnership=None, read_only=True
    )

    ids = {
        row["id"] for row in bearer(raw_key).get(reverse("api:body-list"), {"limit": 1000}).json()["results"]
    }
    assert ours.pk in ids and theirs.pk not in ids
    assert bearer(raw_key).get(reverse("api:body-detail", args=[theirs.pk])).status_code == 404
    assert bearer(roleless_key).get(reverse("api:body-list")).json()["count"] == 0


@pytest.mark.parametrize("role", ["viewer", "member", None])
def test_a_read_write_token_cannot_write_beyond_its_accounts_role(role, partnership_a):
    """A token issued to a viewer, a member or someone with no role writes nothing."""
    user = factories.UserFactory(is_staff=False)
    if role:
        grant_role(user=user, partnership=partnership_a, role=role)
    body = factories.BodyFactory(partnership=partnership_a, name="Board")
    membership = factories.MembershipFactory(partnership=partnership_a)
    _, raw_key = api_token_issue(name="Sync", user=user, partnership=partnership_a, read_only=False)
    client = bearer(raw_key)
    refused = (403, 404) if role else (404,)

    patched = client.patch(
        reverse("api:body-detail", args=[body.pk]), {"name": "Renamed"}, format="json", HTTP_IF_MATCH="*"
    )
    created = client.post(
        reverse("api:body-list"),
        {"partnership": partnership_a.pk, "name": "New", "slug": "new", "kind": "board"},
        format="json",
    )
    deleted = client.delete(reverse("api:membership-detail", args=[membership.pk]), HTTP_IF_MATCH="*")
    person = client.post(reverse("api:person-list"), {"name": "Someone"}, format="json")

    assert patched.status_code in refused
    assert created.status_code == 403
    assert deleted.status_code in (*refused, 405)
    assert person.status_code in (403, 404)
    body.refresh_from_db()
    assert body.name == "Board"
    assert models.Body.objects.filter(partnership=partnership_a).count() == 1
    assert models.Membership.objects.filter(pk=membership.pk).exists()
    assert not models.Person.objects.filter(name="Someone").exists()


def test_ending_the_accounts_role_ends_the_tokens_writes_at_once(system_user, partnership_a):
    body = factories.BodyFactory(partnership=partnership_a, name="Board")
    _, raw_key = api_token_issue(name="Sync", user=system_user, partnership=partnership_a, read_only=False)
    client = bearer(raw_key)
    url = reverse("api:body-detail", args=[body.pk])
    assert client.patch(url, {"name": "Renamed"}, format="json", HTTP_IF_MATCH="*").status_code == 200

    revoke_role(user=system_user, partnership=partnership_a, role="secretariat")
    response = client.patch(url, {"name": "Renamed again"}, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 404
    body.refresh_from_db()
    assert body.name == "Renamed"


def test_a_deactivated_accounts_token_stops_working(system_user, partnership_a):
    _, raw_key = api_token_issue(name="Sync", user=system_user, partnership=partnership_a, read_only=False)
    client = bearer(raw_key)
    assert client.get(reverse("api:body-list")).status_code == 200

    system_user.is_active = False
    system_user.save(update_fields=["is_active"])
    response = client.get(reverse("api:body-list"))

    assert response.status_code == 401
    assert "inactive" in response.json()["detail"]


def test_a_registry_administrators_token_is_limited_to_its_partnership_and_never_administers(
    partnership_a, partnership_b
):
    administrator = factories.UserFactory(is_staff=False)
    grant_registry_administrator(user=administrator)
    theirs = factories.BodyFactory(partnership=partnership_b)
    ours = factories.BodyFactory(partnership=partnership_a)
    _, raw_key = api_token_issue(name="Sync", user=administrator, partnership=partnership_a, read_only=False)
    client = bearer(raw_key)

    assert client.get(reverse("api:body-detail", args=[theirs.pk])).status_code == 404
    url = reverse("api:body-detail", args=[ours.pk])
    assert client.patch(url, {"name": "Renamed"}, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_a_national_token_must_be_read_only(system_user):
    with pytest.raises(ValidationError):
        api_token_issue(name="Too strong", user=system_user, partnership=None, read_only=False)


def test_revocation_takes_effect_on_the_next_request(system_user, partnership_a, caplog):
    token, raw_key = api_token_issue(name="Intranet", user=system_user, partnership=partnership_a)
    client = bearer(raw_key)
    assert client.get(reverse("api:body-list")).status_code == 200

    with caplog.at_level(logging.INFO, logger="core.security"):
        api_token_revoke(token=token)
        response = client.get(reverse("api:body-list"))

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert any("token_revoked" in r.message for r in caplog.records)
    assert all(raw_key not in r.getMessage() for r in caplog.records)


def test_expiry_takes_effect_on_the_next_request(system_user, partnership_a):
    token, raw_key = api_token_issue(name="Intranet", user=system_user, partnership=partnership_a)
    client = bearer(raw_key)
    assert client.get(reverse("api:body-list")).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert client.get(reverse("api:body-list")).status_code == 401


def test_unknown_and_malformed_tokens_are_refused(partnership_a):
    assert bearer("stp_not-a-real-key").get(reverse("api:body-list")).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert client.get(reverse("api:body-list")).status_code == 401


def test_tokens_cannot_be_issued_already_expired_or_forever(system_user, partnership_a):
    with pytest.raises(ValidationError):
        api_token_issue(
            name="x",
            user=system_user,
            partnership=partnership_a,
            expires_at=timezone.now() - datetime.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        api_token_issue(
            name="x",
            user=system_user,
            partnership=partnership_a,
            expires_at=timezone.now() + datetime.timedelta(days=999),
        )


def test_issuing_in_the_admin_shows_the_key_once_and_stores_its_hash(
    admin_client, system_user, partnership_a
):
    response = admin_client.post(
        reverse("admin:stp_governance_apitoken_add"),
        {
            "name": "Trust intranet",
            "user": system_user.pk,
            "partnership": partnership_a.pk,
            "read_only": "on",
            "expires_at_0": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            "expires_at_1": "12:00:00",
        },
        follow=True,
    )

    text = response.content.decode()
    raw_key = text.split("will not be shown again: ")[1].split("<")[0].strip()
    token = ApiToken.objects.get(name="Trust intranet")
    assert token.key_hash == hash_token_key(raw_key)
    assert bearer(raw_key).get(reverse("api:body-list")).status_code == 200


def test_the_command_issues_a_national_read_only_token(system_user, capsys):
    from django.core.management import call_command

    call_command("issue_api_token", "National return", "--user", system_user.username)

    raw_key = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get(key_hash=hash_token_key(raw_key))
    assert (token.partnership, token.read_only) == (None, True)

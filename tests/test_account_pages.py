"""Changing and resetting a password: the round trip by email, the old password, the lockout and
the rate limits; and which pages answer without a sign-in."""

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, reverse

from core import ratelimit
from core.models import OutboxMessage
from core.tasks import send_password_reset_email
from stp_governance import page_urls
from tests import factories

pytestmark = pytest.mark.django_db

OLD = "correct horse battery staple"
NEW = "a new and longer passphrase 42"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0 + 60)  # no count straddles an hour


@pytest.fixture
def secretary():
    user = factories.UserFactory(username="secretary", email="secretary@example.org")
    user.set_password(OLD)
    user.save()
    return user


def sign_in(client, password):
    return client.post(reverse("login"), {"username": "secretary", "password": password})


def run_worker() -> None:
    """What the Celery worker does with the reset page's messages (here, in the test's transaction)."""
    for message in OutboxMessage.objects.filter(task=send_password_reset_email.name, dispatched_at=None):
        send_password_reset_email.apply(kwargs=message.kwargs)
        OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=message.created_at)


def reset_link(message) -> str:
    (link,) = re.findall(r"https?://\S+", message.body)
    assert link.startswith(settings.SITE_URL + "/password/reset/")
    return link.removeprefix(settings.SITE_URL)


# -- reset by email ------------------------------------------------------------------------------
def test_the_sign_in_page_links_to_the_reset_page(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password-reset")}">Forgotten your password?' in html


def test_a_reset_round_trip_by_email(client, secretary, mailoutbox):
    sent = client.post(reverse("password-reset"), {"email": "Secretary@example.org"})
    assert sent.status_code == 302 and sent["Location"] == reverse("password-reset-sent")
    run_worker()
    (message,) = mailoutbox
    assert message.to == ["secretary@example.org"]

    form = client.get(reset_link(message), follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("password-reset-complete")

    assert sign_in(client, NEW).status_code == 302
    assert client.session["_auth_user_id"] == str(secretary.pk)
    client.logout()
    assert sign_in(client, OLD).status_code == 200  # the old password no longer works
    assert client.get(reset_link(message)).status_code == 200  # the link is used up: "does not work"


def test_an_unknown_email_gets_the_same_answer_and_nothing_is_sent(client, secretary, mailoutbox):
    known = client.post(reverse("password-reset"), {"email": "secretary@example.org"}, follow=True)
    run_worker()
    mailoutbox.clear()

    unknown = client.post(reverse("password-reset"), {"email": "nobody@example.org"}, follow=True)
    enqueued = OutboxMessage.objects.filter(task=send_password_reset_email.name, dispatched_at=None).count()
    run_worker()

    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.content == known.content
    assert enqueued == 1  # the same work as for a known address: the worker finds no account
    assert mailoutbox == []


def test_reset_requests_from_one_address_are_rate_limited(client, mailoutbox):
    limit = int(settings.RATE_LIMITS["password_reset_address"].split("/")[0])
    for i in range(limit):
        assert client.post(reverse("password-reset"), {"email": f"someone{i}@example.org"}).status_code == 302

    refused = client.post(reverse("password-reset"), {"email": "another@example.org"})

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(3600 - 60)
    assert "Too many requests" in refused.content.decode()


def test_one_inbox_gets_at_most_three_reset_emails_an_hour(client, secretary, mailoutbox):
    answers = [
        client.post(reverse("password-reset"), {"email": "secretary@example.org"}, REMOTE_ADDR=f"192.0.2.{i}")
        for i in range(4)
    ]

    assert [a.status_code for a in answers] == [302] * 4
    assert {a["Location"] for a in answers} == {reverse("password-reset-sent")}
    run_worker()
    assert len(mailoutbox) == 3


def test_a_reset_message_delivered_twice_is_sent_once(secretary, mailoutbox):
    for _ in range(2):
        send_password_reset_email.apply(kwargs={"email": "secretary@example.org"}, task_id="outbox-1")

    assert len(mailoutbox) == 1


# -- change, signed in ---------------------------------------------------------------------------
def test_the_header_links_to_the_change_page(client, secretary):
    client.force_login(secretary)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password-change")}">Change password' in html


def test_changing_needs_the_old_password(client, secretary):
    client.force_login(secretary)
    url = reverse("password-change")

    wrong = client.post(url, {"old_password": "guess", "new_password1": NEW, "new_password2": NEW})
    right = client.post(url, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})

    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == reverse("password-change-done")
    secretary.refresh_from_db()
    assert secretary.check_password(NEW)
    assert client.get(reverse("home")).status_code == 200  # still signed in


def test_wrong_old_passwords_lock_the_account_out_as_sign_in_does(client, secretary):
    client.force_login(secretary)
    url = reverse("password-change")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"old_password": "guess", "new_password1": NEW, "new_password2": NEW})

    locked = client.post(url, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})

    assert locked.status_code == 429
    secretary.refresh_from_db()
    assert secretary.check_password(OLD)
    client.logout()
    assert sign_in(client, OLD).status_code == 429  # and signing in, from the same address


def test_the_change_page_needs_a_sign_in(client):
    response = client.get(reverse("password-change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# -- every page but these needs a sign-in --------------------------------------------------------
PUBLIC_PAGES = {
    "login",
    "password-reset",
    "password-reset-sent",
    "password-reset-confirm",
    "password-reset-complete",
    "invitation-accept",  # the link is the credential: a wrong one says it does not work
}
POST_ONLY = {"logout"}
SSO_PAGES = {"sso-start", "sso-callback"}  # not found while single sign-on is not configured


def test_every_page_but_signing_in_and_resetting_a_password_needs_a_sign_in(client):
    patterns = [p for p in page_urls.urlpatterns if isinstance(p, URLPattern)]
    args = {"pk": 1, "uidb64": "MQ", "token": "set-password", "key": "not-a-signed-key"}

    for pattern in patterns:
        url = reverse(pattern.name, kwargs={name: args[name] for name in pattern.pattern.converters})
        response = client.get(url)
        if pattern.name in PUBLIC_PAGES:
            assert response.status_code == 200, url
        elif pattern.name in SSO_PAGES:
            assert response.status_code == 404, url
        elif pattern.name not in POST_ONLY:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url

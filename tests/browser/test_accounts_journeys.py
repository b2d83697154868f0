"""People run the registry themselves (issue 16), in a real browser: a registry administrator gives a
secretariat its role in the admin; the secretariat invites a board member, who accepts, chooses a
password, sets up two-factor authentication and lands on their own home page; the secretariat
ends the role and the member's next request shows nothing of the partnership, their token refused;
and a person signs in through an OpenID provider."""

import base64
import re

import httpx
import pytest
from django.core import mail
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from bodies.models import Appointment, Partnership
from core import tasks
from core.models import ApiToken, OutboxMessage, PartnershipRole
from core.tokens import api_token_issue
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import UserFactory
from tests.oidc_provider import oidc_provider  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password 42"


def code_for(key_bytes: bytes) -> str:
    return f"{totp(key_bytes):06d}"


def run_invitation_emails():
    """The worker's part: each queued invitation email, through its Celery task."""
    for message in OutboxMessage.objects.filter(task="core.tasks.send_invitation_email").order_by("id"):
        tasks.send_invitation_email.apply(kwargs=message.kwargs)


def derbyshire_member():
    """A Derbyshire board member the registry knows, with an email address and no account yet."""
    appointment = (
        Appointment.objects.in_force()
        .filter(body__partnership__slug="derbyshire", person__user__isnull=True)
        .select_related("person", "body")
        .order_by("body__name", "id")
        .first()
    )
    person = appointment.person
    person.email = "invited.member@nhs.net"
    person.save(update_fields=["email"])
    return person, appointment.body


@pytest.fixture
def new_page(browser):
    """Pages in contexts of their own (one per person), closed after the test, so that no
    keep-alive connection holds a live server thread, and its database connection, open."""
    contexts = []

    def make(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_an_administrator_a_secretariat_and_an_invited_member_run_it_themselves(demo, new_page):
    derbyshire = Partnership.objects.get(slug="derbyshire")
    administrator = UserFactory(username="registry.admin", is_superuser=True, email="admin@nhs.net")
    administrator.set_password(PASSWORD)
    administrator.save()
    device = TOTPDevice.objects.create(user=administrator, name="Phone", confirmed=True)
    secretary = UserFactory(username="derbyshire.secretary", email="secretary@nhs.net", first_name="Sam")
    secretary.set_password(PASSWORD)
    secretary.save()
    person, body = derbyshire_member()

    # 1. The registry administrator signs in with their second factor and grants the role in the admin.
    admin_page = new_page()
    sign_in(admin_page, demo.url, administrator.username, PASSWORD)
    admin_page.get_by_label("Code").fill(code_for(device.bin_key))
    admin_page.get_by_role("button", name="Continue").click()
    admin_page.goto(f"{demo.url}/admin/auth/user/{secretary.pk}/change/")
    admin_page.get_by_text(re.compile("Add another partnership role", re.IGNORECASE)).click()
    admin_page.locator("select[name='partnership_roles-0-partnership']").select_option(str(derbyshire.pk))
    admin_page.locator("select[name='partnership_roles-0-role']").select_option("secretariat")
    admin_page.screenshot(path=str(SCREENSHOTS / "journey-accounts-admin-grants.png"), full_page=True)
    with admin_page.expect_navigation():
        admin_page.get_by_role("button", name="Save", exact=True).click()
    record = PartnershipRole.objects.get(user=secretary, partnership=derbyshire)
    assert (record.role, record.granted_by) == ("secretariat", administrator)

    # 2. The secretariat invites the board member from its partnership's People and roles page.
    staff = new_page()
    sign_in(staff, demo.url, secretary.username, PASSWORD)
    staff.locator(".nhsuk-card", has_text=derbyshire.name).get_by_role(
        "link", name="People and roles"
    ).click()
    staff.get_by_label("Email address", exact=True).fill(person.email)
    staff.get_by_label("Full name (optional)").fill(person.name)
    staff.locator("#id_invite-role").select_option("member")
    staff.get_by_role("button", name="Send the invitation").click()
    expect(staff.get_by_text(f"Invitation sent to {person.email}")).to_be_visible()
    staff.screenshot(path=str(SCREENSHOTS / "journey-accounts-people-and-roles.png"), full_page=True)
    staff.set_viewport_size({"width": 390, "height": 844})
    assert staff.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no overflow
    staff.set_viewport_size({"width": 1280, "height": 900})
    run_invitation_emails()
    [email] = mail.outbox
    link = re.search(r"https?://\S+/invitations/\S+/", email.body).group(0)
    link = demo.url + "/invitations/" + link.split("/invitations/", 1)[1]

    # 3. The member accepts, chooses a password, sets up TOTP and lands on their home page.
    member = new_page(390, 844)
    member.goto(link)
    member.get_by_label("Username").fill("invited.member")
    member.get_by_label("Choose a password").fill(PASSWORD)
    member.get_by_label("Enter the password again").fill(PASSWORD)
    member.get_by_role("button", name="Create my account").click()
    expect(member.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    member.screenshot(path=str(SCREENSHOTS / "journey-accounts-two-factor.png"), full_page=True)
    secret = member.locator("#totp-secret").inner_text()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    member.get_by_label("Code").fill(code_for(key))
    member.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(member.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    member.get_by_role("link", name="I have saved them: continue").click()
    expect(member.get_by_role("heading", name=re.compile("Your bodies"))).to_be_visible()
    expect(member.get_by_role("link", name=body.name).first).to_be_visible()
    assert member.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    member.screenshot(path=str(SCREENSHOTS / "journey-accounts-member-home.png"), full_page=True)
    account = person.__class__.objects.get(pk=person.pk).user
    assert account is not None and account.username == "invited.member"
    _token, raw_key = api_token_issue(name="Member's reader", user=account, partnership=derbyshire)
    api = f"{demo.url}/api/v1/bodies/{body.pk}/"
    assert httpx.get(api, headers={"Authorization": f"Bearer {raw_key}"}).status_code == 200

    # 4. The secretariat ends the role; the member's next request shows nothing of the partnership.
    staff.reload()
    staff.get_by_role("button", name=f"End the role of {person.name}").click()
    expect(staff.get_by_text("role ended")).to_be_visible()
    member.reload()
    expect(member.get_by_text("You have no role on any partnership yet")).to_be_visible()
    assert member.get_by_role("link", name=body.name).count() == 0
    assert derbyshire.name not in member.content()
    member.screenshot(path=str(SCREENSHOTS / "journey-accounts-role-ended.png"), full_page=True)
    for path in ("/account/", "/account/roles/", "/account/tokens/", "/account/sessions/"):
        member.goto(demo.url + path)
        assert member.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    assert member.goto(f"{demo.url}/bodies/{body.pk}/").status == 404
    assert httpx.get(api, headers={"Authorization": f"Bearer {raw_key}"}).status_code == 404
    assert ApiToken.objects.filter(user=account).count() == 1


def test_a_person_signs_in_through_the_openid_provider(demo, page, oidc_provider):  # noqa: F811
    user = UserFactory(username="nhs.user", email="nhs.user@nhs.net")
    Partnership.objects.get(slug="derbyshire")
    oidc_provider.set_user("nhs-user-1", email="nhs.user@nhs.net", email_verified=True, amr=["pwd", "mfa"])

    with oidc_provider.settings():
        page.goto(f"{demo.url}/sign-in/")
        page.get_by_role("link", name=re.compile("Sign in with")).click()
        page.locator("input[name='sub']").fill("nhs-user-1")
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{demo.url}/")

        assert page.get_by_role("button", name=f"Sign out {user.username}").count() == 1
        page.goto(f"{demo.url}/account/sessions/")
        expect(page.get_by_text("single sign-on")).to_be_visible()

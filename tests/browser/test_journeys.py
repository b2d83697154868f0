"""The main journeys of secretariats and board members, in a real browser."""

import pytest
from playwright.sync_api import expect

from bodies.models import Body, Partnership
from core.access import grant_role
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password 42"


def member_of(slug: str, role: str = "member"):
    user = UserFactory(is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    grant_role(user=user, partnership=Partnership.objects.get(slug=slug), role=role)
    return user


def test_sign_in_find_a_body_and_read_its_terms_of_reference(demo, page):
    user = member_of("derbyshire")

    sign_in(page, demo.url, user.username, PASSWORD)
    page.get_by_role("link", name="Derbyshire Sustainability and Transformation Partnership").click()
    page.locator("svg").get_by_role("link", name="Derbyshire STP Board").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Derbyshire STP Board"
    expect(page.get_by_text("To drive the development of an Accountable Care System.")).to_be_visible()
    expect(page.get_by_text("Monthly; 3 hours.", exact=False)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "journey-terms-of-reference.png"), full_page=True)


def test_ask_who_can_approve_and_read_the_chain(demo, page):
    user = member_of("cambridgeshire-and-peterborough")
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")

    sign_in(page, demo.url, user.username, PASSWORD)
    page.get_by_role("link", name="Who can approve this?").click()
    page.get_by_label("Partnership").select_option(str(cambridgeshire.pk))
    page.get_by_role(
        "button", name="Answer"
    ).click()  # without JavaScript: choose the partnership, then the matter
    page.get_by_label("Matter", exact=True).select_option(
        label="To approve business cases to support delivery of the STP"
    )
    page.get_by_label("Amount (£)").fill("250000")
    page.get_by_role("button", name="Answer").click()

    answer = page.locator("#answer")
    answer.wait_for()
    expect(page.get_by_role("heading", name="Health and Care Executive may approve")).to_be_visible()
    assert page.locator(".registry-chain li").first.inner_text() == "STP Board"
    assert "Table 5" in page.locator(".registry-chain").inner_text()


def test_another_partnerships_pages_are_not_found(demo, page):
    user = member_of("derbyshire", role="viewer")
    their_body = Body.objects.filter(partnership__slug="cambridgeshire-and-peterborough").first()

    sign_in(page, demo.url, user.username, PASSWORD)
    response = page.goto(f"{demo.url}/bodies/{their_body.pk}/")

    assert response.status == 404
    assert page.goto(f"{demo.url}/api/v1/bodies/{their_body.pk}/").status == 404


def test_a_stale_edit_is_refused_and_the_history_shows_the_change(demo, page):
    user = member_of("derbyshire", role="secretariat")
    body = Body.objects.get(partnership__slug="derbyshire", slug="partnership-engagement-forum")

    sign_in(page, demo.url, user.username, PASSWORD)
    page.goto(f"{demo.url}/admin/bodies/body/{body.pk}/change/")
    Body.objects.filter(pk=body.pk).update(short_name="PEF (changed elsewhere)")
    page.get_by_label("Short name:").fill("PEF mine")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()

    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert any("Someone else changed this record after you opened it" in text for text in errors), errors
    body.refresh_from_db()
    assert body.short_name == "PEF (changed elsewhere)"

    page.goto(f"{demo.url}/admin/bodies/body/{body.pk}/change/")
    page.get_by_label("Short name:").fill("PEF")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    page.goto(f"{demo.url}/bodies/{body.pk}/")
    history = page.locator("#history + table").inner_text()
    assert "“PEF (changed elsewhere)” → “PEF”" in history
    assert user.username in history
    page.screenshot(path=str(SCREENSHOTS / "journey-history.png"), full_page=True)

"""The secretariat's editing journeys, in a real browser, on the demo data."""

import re

import pytest
from playwright.sync_api import expect

from bodies.models import Body, Membership
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.test_journeys import PASSWORD, member_of

pytestmark = pytest.mark.browser


def test_edit_a_membership_and_see_the_history(demo, page):
    user = member_of("derbyshire", role="secretariat")
    membership = Membership.objects.get(
        partnership__slug="derbyshire", organisation__name="Derby City Council", effective_to__isnull=True
    )

    sign_in(page, demo.url, user.username, PASSWORD)
    page.get_by_role("link", name="Derbyshire Sustainability and Transformation Partnership").click()
    page.get_by_role("region", name="Secretariat").get_by_role("link", name="Memberships").click()
    page.get_by_role("link", name="Change the membership of Derby City Council").click()
    page.get_by_label("Standing").select_option(label="Partner in")
    page.get_by_label("Note").fill("Partner in from the 2019 memorandum of understanding.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Your changes to the membership were saved.")).to_be_visible()
    history = page.locator("#history + table").inner_text()
    assert "Standing: “Party to” → “Partner in”" in history
    assert user.username in history
    membership.refresh_from_db()
    assert membership.standing == "partner_in" and membership.revision == 2
    page.screenshot(path=str(SCREENSHOTS / "edit-membership-history.png"), full_page=True)

    # Ending it keeps it on record: the list shows its last day.
    page.get_by_role("link", name="end the membership").click()
    page.get_by_label("Last day").fill("2019-03-31")
    page.get_by_role("button", name="End the membership").click()
    expect(page.get_by_text("The membership was ended.")).to_be_visible()
    assert "Effective to: “” → “31 March 2019”" in page.locator("#history + table").inner_text()


def test_a_stale_edit_is_refused_in_the_second_browser(demo, browser):
    body = Body.objects.get(partnership__slug="derbyshire", slug="partnership-engagement-forum")
    first_user = member_of("derbyshire", role="secretariat")
    second_user = member_of("derbyshire", role="secretariat")
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    first, second = (context.new_page() for context in contexts)
    try:
        for page, user in ((first, first_user), (second, second_user)):
            sign_in(page, demo.url, user.username, PASSWORD)
            page.goto(f"{demo.url}/bodies/{body.pk}/")
            page.get_by_role("link", name="Change this body").click()

        first.get_by_label("Short name").fill("PEF (first)")
        first.get_by_role("button", name="Save").click()
        expect(first.get_by_text("Your changes to the body were saved.")).to_be_visible()

        second.get_by_label("Short name").fill("PEF (second)")
        second.get_by_label("Description").fill("The second editor's description.")
        with second.expect_response(re.compile(r"/edit/bodies/\d+/$")) as answer:
            second.get_by_role("button", name="Save").click()

        assert answer.value.status == 409
        expect(second.get_by_role("heading", name="Someone else changed this record")).to_be_visible()
        conflict = second.locator("#conflict").inner_text()
        assert "PEF (second)" in conflict and "PEF (first)" in conflict
        body.refresh_from_db()
        assert body.short_name == "PEF (first)" and body.description != "The second editor's description."
        second.screenshot(path=str(SCREENSHOTS / "edit-conflict.png"), full_page=True)

        # Having read the other change, the second editor keeps their version, knowingly.
        second.get_by_role("button", name="Save my version").click()
        expect(second.get_by_text("Your changes to the body were saved.")).to_be_visible()
        body.refresh_from_db()
        assert body.short_name == "PEF (second)"
        history = second.locator("#history + table").inner_text()
        assert "“PEF (first)” → “PEF (second)”" in history and second_user.username in history
    finally:
        for context in contexts:
            context.close()


def test_the_editing_pages_read_well(demo, page):
    """Screenshots of the other editing pages, on the demo data."""
    user = member_of("derbyshire", role="secretariat")
    board = Body.objects.get(partnership__slug="derbyshire", slug="stp-board")

    sign_in(page, demo.url, user.username, PASSWORD)
    page.goto(f"{demo.url}/bodies/{board.pk}/")
    expect(page.get_by_role("region", name="Secretariat")).to_be_visible()
    page.get_by_role("link", name="Meetings and attendance").click()
    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_role("button", name="Save the meeting").click()  # nothing filled in: errors, not a crash
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "edit-meeting-errors.png"), full_page=True)

    page.goto(f"{demo.url}/edit/bodies/{board.pk}/appointments/")
    page.screenshot(path=str(SCREENSHOTS / "edit-appointments.png"), full_page=True)
    page.goto(f"{demo.url}/edit/bodies/{board.pk}/decisions/new/")
    page.screenshot(path=str(SCREENSHOTS / "edit-decision.png"), full_page=True)


def _record_a_meeting_with_an_added_row(page, base: str, board: Body) -> None:
    page.goto(f"{base}/edit/bodies/{board.pk}/meetings/new/")
    rows = page.locator("#attendance-rows tr")
    # Issue 17: the board's one appointee in force (Tracy Allen) is pre-filled as present, then 3 empty rows.
    assert rows.count() == 4
    assert page.get_by_label("Person, row 1").locator("option:checked").inner_text().startswith("Tracy Allen")
    page.get_by_label("Place").fill("Committee room 4 (journey)")
    page.get_by_role("button", name="Add another attendance row").click()
    page.get_by_label("Person, row 5").wait_for()
    assert rows.count() == 5
    assert page.get_by_label("Place").input_value() == "Committee room 4 (journey)"  # what was typed is kept
    page.get_by_label("Date and time it starts").fill("2019-05-01T10:00")
    page.get_by_label("Status", exact=True).select_option(label="Held")
    page.get_by_role("button", name="Save the meeting").click()
    expect(page.get_by_text("The meeting and its attendance were saved.")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_add_an_attendance_row_with_htmx_and_without_javascript(demo, browser, javascript):
    """With JavaScript, htmx fetches only the new row (no page load, within the CSP); without it,
    the same button is a full-page round trip that keeps what was typed."""
    from decisions.models import Meeting

    user = member_of("derbyshire", role="secretariat")
    board = Body.objects.get(partnership__slug="derbyshire", slug="stp-board")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        # Scripts and styles (the NHS stylesheet's web fonts, on a CDN, are refused by design).
        lambda message: (
            "Content Security Policy" in message.text
            and "Loading the font" not in message.text
            and violations.append(message.text)
        ),
    )
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.headers.get("hx-request"))))
    try:
        sign_in(page, demo.url, user.username, PASSWORD)
        _record_a_meeting_with_an_added_row(page, demo.url, board)
    finally:
        context.close()

    meeting = Meeting.objects.get(body=board, place="Committee room 4 (journey)")
    assert meeting.attendances.count() == 1
    posts = [hx for method, hx in requests if method == "POST"]
    # The "add a row" POST, then the save: with htmx the first is an htmx request, without it a page load.
    assert posts[-2:] == (["true", None] if javascript else [None, None])
    assert violations == []

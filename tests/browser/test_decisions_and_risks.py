"""Journeys in the decisions and risks pages, in a real browser, on the demo data.

The decision is recorded with the decisions service (the editing pages record it in the browser);
ratifying it happens in the browser, two clicks per partner board.
"""

import re

import pytest
from playwright.sync_api import expect

from bodies.models import Partnership
from decisions.models import Decision
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.demo_decisions import record_demo_decisions
from tests.browser.test_journeys import PASSWORD, member_of

pytestmark = pytest.mark.browser


def outstanding_row(page, minute_reference: str):
    """The first tracker row of the decision still outstanding, following the pages if need be."""
    while True:
        rows = page.locator("table.registry-tracker tbody tr", has_text=minute_reference)
        if rows.count():
            return rows.first
        following = page.locator("a.nhsuk-pagination__link--next")
        if not following.count():
            return None
        following.click()


def test_record_a_decision_that_needs_ratification_and_ratify_it(demo, page):
    _older, decision = record_demo_decisions()
    parties = decision.ratifications.count()
    user = member_of("cambridgeshire-and-peterborough", role="secretariat")

    sign_in(page, demo.url, user.username, PASSWORD)
    card = page.locator(".nhsuk-card", has_text="Cambridgeshire and Peterborough")
    card.get_by_role("link", name="ratifications outstanding").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Ratifications outstanding"
    assert page.locator("table.registry-tracker tbody tr", has_text="HCE/18/23").count() == parties
    assert page.locator("table.registry-tracker tbody tr", has_text="HCE/18/04").count() == 4
    page.screenshot(path=str(SCREENSHOTS / "tracker.png"), full_page=True)

    for n in range(parties):
        row = outstanding_row(page, "HCE/18/23")
        organisation = row.locator("td").nth(1).inner_text().splitlines()[0]
        row.get_by_role("link", name="Ratify").click()  # click one
        assert page.get_by_label("Date the board ratified it").input_value()  # today, prefilled
        page.get_by_label("Date the board ratified it").fill("2018-03-29")
        page.get_by_label("Minute reference").fill(f"{40 + n}/18")
        page.get_by_role("button", name="Record ratification").click()  # click two
        confirmation = page.locator(".registry-confirmation").inner_text()
        assert organisation in confirmation and "ratified on 29 March 2018" in confirmation

    assert "is effective from 29 March 2018" in page.locator(".registry-confirmation").inner_text()
    assert outstanding_row(page, "HCE/18/23") is None
    decision.refresh_from_db()
    assert decision.status == Decision.Status.EFFECTIVE
    assert set(decision.ratifications.values_list("outcome", flat=True)) == {"ratified"}

    page.goto(f"{demo.url}/decisions/{decision.pk}/")
    assert page.locator("h1").inner_text() == "HCE/18/23"
    expect(page.get_by_text("Effective", exact=True).first).to_be_visible()
    assert "Table 5" in page.locator(".registry-chain").inner_text()
    assert page.locator("#ratifications + table tbody tr", has_text="Ratified").count() == parties
    page.screenshot(path=str(SCREENSHOTS / "decision.png"), full_page=True)


def test_the_risk_register_reads_with_its_heat_map(demo, page):
    user = member_of("cambridgeshire-and-peterborough", role="viewer")
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")

    sign_in(page, demo.url, user.username, PASSWORD)
    page.goto(f"{demo.url}/partnerships/{cambridgeshire.pk}/")
    page.locator(".registry-page-links").get_by_role("link", name="Risks and heat map").click()

    heat_map = page.locator(".registry-heat-map svg")
    expect(heat_map).to_be_visible()
    assert "9 open risks by current score" in heat_map.locator("text").nth(1).text_content()
    assert page.locator("table.registry-risks").first.locator("tbody tr").count() >= 9
    # The top of the page: filters, heat map and the start of the register (the page runs on).
    page.screenshot(
        path=str(SCREENSHOTS / "risks.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": 2300},
    )

    page.get_by_label("Current band").select_option("extreme")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#risks")).to_have_text(re.compile(r"^\s*4 risks"), use_inner_text=True)
    page.get_by_role("link", name="Show target scores").click()
    expect(page.locator(".registry-heat-map svg text").nth(1)).to_contain_text("4 open risks by target score")


def test_without_javascript_the_pages_read_and_ratify_and_other_partnerships_get_404(demo, browser):
    _older, decision = record_demo_decisions()
    partnership = decision.body.partnership_id
    for slug, status in (("cambridgeshire-and-peterborough", 200), ("derbyshire", 404)):
        user = member_of(slug, role="secretariat")
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        try:
            sign_in(page, demo.url, user.username, PASSWORD)
            tracker = page.goto(f"{demo.url}/partnerships/{partnership}/ratifications/")
            assert tracker.status == status, slug
            assert page.goto(f"{demo.url}/decisions/{decision.pk}/").status == status
            assert page.goto(f"{demo.url}/partnerships/{partnership}/risks/").status == status
            if status == 404:
                continue
            expect(page.locator(".registry-heat-map svg")).to_be_visible()
            page.goto(f"{demo.url}/partnerships/{partnership}/ratifications/")
            row = page.locator("table.registry-tracker tbody tr", has_text="HCE/18/23").first
            row.get_by_role("link", name="Ratify").click()
            page.get_by_role("button", name="Record ratification").click()
            assert "ratified on" in page.locator(".registry-confirmation").inner_text()
        finally:
            context.close()

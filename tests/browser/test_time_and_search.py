"""Issue 20 in a real browser: "who can approve a £2m business case" answered once, with the route and
sources; a date before the framework warns; search finds "DCHS" and "Chesterfeild"."""

import pytest
from playwright.sync_api import expect

from bodies.models import Partnership
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.test_journeys import PASSWORD, member_of

pytestmark = pytest.mark.browser

MATTER = "To approve business cases to support delivery of the STP"


def ask(page, base, *, amount="£2m", on=None):
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    page.goto(f"{base}/who-can-approve/")
    partnership = page.get_by_label("Partnership")
    assert (
        "Cambridgeshire and Peterborough Sustainability and Transformation Partnership"
        in partnership.inner_text()
    )
    with page.expect_response(lambda r: "/who-can-approve/" in r.url and r.request.headers.get("hx-request")):
        partnership.select_option(str(cambridgeshire.pk))  # the matters load as soon as it is chosen
    page.locator("#id_matter-hint").filter(has_text="of this partnership").wait_for()
    assert page.get_by_label("Matter", exact=True).locator("option").count() > 50  # all its matters
    page.get_by_label("Find a matter").fill("business case")  # narrows the list as one types (htmx)…
    page.get_by_role("button", name="Find matters").click()  # …and, as here, with the button (no JavaScript)
    page.locator("#id_matter-hint").filter(has_text="matching “business case”").wait_for()
    matters = page.get_by_label("Matter", exact=True)
    options = matters.locator("option").all_inner_texts()
    assert MATTER in options and all("business case" in o.lower() for o in options[1:])
    matters.select_option(label=MATTER)
    page.get_by_label("Proposal category").select_option("system_investment_fund")
    page.get_by_label("Amount (£)").fill(amount)
    if on:
        page.get_by_label("On date").fill(on)
    page.get_by_role("button", name="Answer").click()
    page.locator("#answer").wait_for()


def test_who_can_approve_a_2m_business_case_in_one_answer_with_route_and_sources(demo, page):
    user = member_of("cambridgeshire-and-peterborough")
    sign_in(page, demo.url, user.username, PASSWORD)

    ask(page, demo.url, amount="£2m", on="01/06/2018")

    assert page.locator("#answer").count() == 1
    card = page.locator(".registry-answer")
    text = card.inner_text()
    assert "Health and Care Executive may approve" in text
    assert "Table 5" in text  # the authority's source
    assert "Approval route still ahead" in text and "9.1.1" in text  # the route and its source
    assert "for £2,000,000.00" in page.get_by_role("heading", name="The answer").inner_text()
    assert not page.locator("#no-scheme-then").count()
    page.screenshot(path=str(SCREENSHOTS / "who-can-approve-2m-business-case.png"), full_page=True)


def test_a_date_before_the_framework_warns(demo, page):
    user = member_of("cambridgeshire-and-peterborough")
    sign_in(page, demo.url, user.username, PASSWORD)

    ask(page, demo.url, on="01/06/2017")

    warning = page.locator("#no-scheme-then")
    expect(warning).to_be_visible()
    assert "1 November 2017" in warning.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "who-can-approve-before-the-framework.png"), full_page=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DCHS", "Derbyshire Community Health Services NHS Foundation Trust"),
        ("Chesterfeild", "Chesterfield Royal Hospital NHS Foundation Trust"),
    ],
)
def test_search_finds_abbreviations_and_near_misses(demo, page, query, expected):
    user = member_of("derbyshire", role="viewer")
    sign_in(page, demo.url, user.username, PASSWORD)

    page.goto(f"{demo.url}/search/")
    page.locator("#q").fill(query)
    page.locator("#maincontent").get_by_role("button", name="Search").click()

    section = page.locator("h2", has_text="Organisations")
    section.wait_for()
    first = page.locator("#maincontent a[href^='/organisations/']").first
    assert first.inner_text() == expected
    page.screenshot(path=str(SCREENSHOTS / f"search-{query.lower()}.png"), full_page=True)


def test_a_merged_ccg_shows_its_lineage_and_the_partnership_its_successor_as_at_a_date(demo, page):
    from bodies.models import Organisation

    user = member_of("derbyshire", role="viewer")
    sign_in(page, demo.url, user.username, PASSWORD)
    derbyshire = Partnership.objects.get(slug="derbyshire")

    page.goto(f"{demo.url}/partnerships/{derbyshire.pk}/?as_at=2020-06-01")
    in_place = page.locator(".registry-in-place")
    assert in_place.count() >= 4
    assert "NHS Derby and Derbyshire CCG" in in_place.first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "partnership-as-at-2020-successors.png"), full_page=True)

    erewash = Organisation.objects.get(slug="nhs-erewash-ccg")
    page.goto(f"{demo.url}/organisations/{erewash.pk}/?as_at=2023-01-01")
    lineage = page.locator("#lineage + table").inner_text()
    assert "NHS Derby and Derbyshire CCG" in lineage and "1 April 2019" in lineage
    assert "NHS Derby and Derbyshire Integrated Care Board" in lineage and "1 July 2022" in lineage
    assert (
        "In its place on 1 January 2023: NHS Derby and Derbyshire Integrated Care Board"
        in page.locator(".nhsuk-warning-callout").inner_text()
    )
    page.screenshot(path=str(SCREENSHOTS / "organisation-lineage.png"), full_page=True)


def test_who_can_approve_fits_a_phone(demo, browser):
    user = member_of("cambridgeshire-and-peterborough")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    try:
        sign_in(phone, demo.url, user.username, PASSWORD)
        ask(phone, demo.url, amount="£2m", on="01/06/2018")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        phone.screenshot(path=str(SCREENSHOTS / "who-can-approve-390.png"), full_page=False)
    finally:
        context.close()


def test_the_matter_list_narrows_as_one_types(demo, page):
    user = member_of("cambridgeshire-and-peterborough")
    sign_in(page, demo.url, user.username, PASSWORD)
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    page.goto(f"{demo.url}/who-can-approve/")
    with page.expect_response(lambda r: "/who-can-approve/" in r.url and r.request.headers.get("hx-request")):
        page.get_by_label("Partnership").select_option(str(cambridgeshire.pk))
    page.locator("#id_matter-hint").filter(has_text="of this partnership").wait_for()
    page.wait_for_timeout(300)  # htmx binds the swapped-in search box
    with page.expect_response(lambda r: "matter_search=business" in r.url):
        page.get_by_label("Find a matter").press_sequentially("business case", delay=20)
    page.locator("#id_matter-hint").filter(has_text="matching").wait_for()
    options = page.get_by_label("Matter", exact=True).locator("option").all_inner_texts()
    assert MATTER in options and all("business" in o.lower() for o in options[1:])

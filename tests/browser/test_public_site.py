"""The public site as an anonymous visitor sees it: a published partnership's members, bodies,
terms of reference, meetings, decisions and registers, nothing not for publication, and nothing at
all of a partnership that has not switched its site on."""

import datetime

import pytest
from playwright.sync_api import expect

from bodies.models import Body, Partnership
from decisions.models import Decision, Meeting
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def minuted_meeting(decision):
    """An earlier meeting of the decision's body with a public paper and a restricted one, its minutes
    approved at the decision's meeting."""
    from meetings import services
    from tests.meetings.conftest import pdf_upload

    later = decision.meeting
    earlier = factories.MeetingFactory(
        body=later.body, starts_at=later.starts_at - datetime.timedelta(days=28)
    )
    item = factories.AgendaItemFactory(meeting=earlier, title="Financial plan")
    services.paper_upload(
        agenda_item=item, upload=pdf_upload("The financial plan"), title="Financial plan 2018/19"
    )
    secret = factories.AgendaItemFactory(
        meeting=earlier, title="Contract award", restricted=True, restriction_reason="Commercial"
    )
    services.paper_upload(agenda_item=secret, upload=pdf_upload("Bids"), title="Contract award (restricted)")
    minutes = services.minutes_draft(meeting=earlier, texts={item.pk: "The board noted the financial plan."})
    services.minutes_approve(minutes=minutes, at=later, matter=decision.matter)
    return earlier, later


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_anonymous_visitor_reads_a_published_partnership(demo, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    published = Partnership.objects.get(slug="derbyshire")
    Partnership.objects.filter(pk=published.pk).update(public_site=True)
    decision = Decision.objects.filter(body__partnership=published, meeting__isnull=False).first()
    factories.DecisionFactory(
        body=decision.body,
        meeting=decision.meeting,
        resolution="Not for publication: the contract award.",
        restricted=True,
        restriction_reason="Commercial",
    )
    factories.InterestFactory(
        partnership=published,
        person__name="Alex Example",
        description="Trustee of a local hospice charity",
    )
    factories.InterestFactory(
        partnership=published,
        person__name="Sam Withheld",
        description="Home address",
        withheld=True,
        withheld_reason="Safety",
    )
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{demo.url}/public/")
    page.get_by_role("link", name=published.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(published.name)
    expect(page.get_by_role("heading", name="Boards and committees")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "public-partnership.png"), full_page=True)

    board = Body.objects.filter(partnership=published, terms_of_reference__status="approved").first()
    page.get_by_role("link", name=board.name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(board.name)
    expect(page.get_by_role("heading", name="Terms of reference in force")).to_be_visible()
    page.get_by_role("link", name="Version", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Terms of reference, version")

    meeting = Meeting.objects.filter(pk=decision.meeting_id).get()
    page.goto(f"{demo.url}/public/{published.slug}/meetings/{meeting.pk}/")
    expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
    assert "Not for publication" not in page.content()

    # A meeting with a public paper, a restricted one, and minutes approved at the next meeting.
    earlier, _later = minuted_meeting(decision)
    page.goto(f"{demo.url}/public/{published.slug}/meetings/{earlier.pk}/")
    expect(page.get_by_role("link", name="Financial plan 2018/19")).to_be_visible()
    assert "Contract award (restricted)" not in page.content()
    expect(page.get_by_text("The board noted the financial plan.")).to_be_visible()
    paper = page.request.get(
        demo.url + page.get_by_role("link", name="Financial plan 2018/19").get_attribute("href")
    )
    assert paper.status == 200 and paper.headers["content-type"] == "application/pdf"
    minutes = page.request.get(
        demo.url + page.get_by_role("link", name="The approved minutes (PDF)").get_attribute("href")
    )
    assert minutes.status == 200 and minutes.body()[:4] == b"%PDF"
    page.screenshot(path=str(SCREENSHOTS / "public-meeting.png"), full_page=True)

    page.get_by_role("link", name="Decisions", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions")
    assert "Not for publication" not in page.content()
    page.get_by_role("link", name=decision.minute_reference or "Decision", exact=True).first.click()
    expect(page.get_by_role("heading", name="The authority it rests on")).to_be_visible()
    expect(page.get_by_role("heading", name="Ratification by the partners")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "public-decision.png"), full_page=True)

    page.get_by_role("link", name="Register of interests").first.click()
    expect(page.get_by_text("Trustee of a local hospice charity")).to_be_visible()
    assert "Sam Withheld" not in page.content() and "Safety" not in page.content()

    page.get_by_role("link", name="Gifts and hospitality").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gifts and hospitality")

    page.get_by_role("link", name="Scheme of delegation").first.click()
    expect(page.get_by_role("heading", name="Delegations")).to_be_visible()
    page.get_by_role("link", name="Ask who can approve a proposal").click()
    page.get_by_label("Matter", exact=True).select_option(str(decision.matter_id))
    page.get_by_role("button", name="Answer").click()
    expect(page.get_by_role("heading", name="The answer, on", exact=False)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "public-who-can-approve.png"), full_page=True)

    # A phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("", "decisions/", "interests/", "scheme-of-delegation/", f"bodies/{board.pk}/"):
        page.goto(f"{demo.url}/public/{published.slug}/{path}")
        assert no_horizontal_overflow(page), path
    page.screenshot(path=str(SCREENSHOTS / "public-scheme-phone.png"), full_page=True)

    # Not published: nothing at all.
    response = page.goto(f"{demo.url}/public/cambridgeshire-and-peterborough/")
    assert response.status == 404
    assert not [e for e in errors if "404" not in e], errors

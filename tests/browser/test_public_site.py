"""The public site as an anonymous visitor sees it: a published partnership's members, bodies,
terms of reference, meetings, decisions and registers, nothing not for publication, and nothing at
all of a partnership that has not switched its site on."""

import pytest

from bodies.models import Body, Partnership
from decisions.models import Decision, Meeting
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_anonymous_visitor_reads_a_published_partnership(demo, page):
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
    assert page.get_by_role("heading", level=1).inner_text() == published.name
    assert page.get_by_role("heading", name="Boards and committees").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "public-partnership.png"), full_page=True)

    board = Body.objects.filter(partnership=published, terms_of_reference__status="approved").first()
    page.get_by_role("link", name=board.name, exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == board.name
    assert page.get_by_role("heading", name="Terms of reference in force").is_visible()
    page.get_by_role("link", name="Version", exact=False).first.click()
    assert "Terms of reference, version" in page.get_by_role("heading", level=1).inner_text()

    meeting = Meeting.objects.filter(pk=decision.meeting_id).get()
    page.goto(f"{demo.url}/public/{published.slug}/meetings/{meeting.pk}/")
    assert page.get_by_role("heading", name="Agenda").is_visible()
    assert "Not for publication" not in page.content()

    page.get_by_role("link", name="Decisions", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Decisions"
    assert "Not for publication" not in page.content()
    page.get_by_role("link", name=decision.minute_reference or "Decision", exact=True).first.click()
    assert page.get_by_role("heading", name="The authority it rests on").is_visible()
    assert page.get_by_role("heading", name="Ratification by the partners").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "public-decision.png"), full_page=True)

    page.get_by_role("link", name="Register of interests").first.click()
    assert page.get_by_text("Trustee of a local hospice charity").is_visible()
    assert "Sam Withheld" not in page.content() and "Safety" not in page.content()

    page.get_by_role("link", name="Scheme of delegation").first.click()
    assert page.get_by_role("heading", name="Delegations").is_visible()

    # A phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("", "decisions/", "interests/", "scheme-of-delegation/", f"bodies/{board.pk}/"):
        page.goto(f"{demo.url}/public/{published.slug}/{path}")
        assert no_horizontal_overflow(page), path
    page.screenshot(path=str(SCREENSHOTS / "public-scheme-phone.png"), full_page=True)

    # Not published: nothing at all.
    response = page.goto(f"{demo.url}/public/cambridgeshire-and-peterborough/")
    assert response.status == 404
    assert not [e for e in errors if "404" not in e and "Frutiger" not in e], errors

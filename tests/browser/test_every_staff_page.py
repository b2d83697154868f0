"""Every staff page at a phone's width (390 px) and a laptop's (1,280 px), on the demo data: no horizontal
overflow, no console error, no asset answering 404 (issue 17). The pages come from the URLconf, each with a
record of the demo data (or one made for it), so a page added later is visited without editing this test."""

import pytest
from django.urls import URLPattern, URLResolver, reverse

from bodies.models import Appointment, Body, Membership, Organisation, Partnership, Person, TermsOfReference
from bodies.services import terms_of_reference_new_version
from decisions.models import AgendaItem, Decision, Meeting, Ratification
from risks.models import Risk, RiskEscalation, RiskRegister
from stp_governance import page_urls
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.demo_decisions import record_demo_decisions
from tests.browser.test_journeys import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
# Not pages to look at: signing in and out, one-time links, downloads and the pickers' JSON.
NOT_PAGES = {
    "login", "logout", "password-reset-confirm", "export-download", "edit-workbook-template",
    "pick-organisations", "pick-people", "sso-start", "sso-callback", "two-factor-verify",
    "meeting-paper-download", "meeting-pack-download", "meeting-minutes-pdf",
}  # fmt: skip


def _draft_terms() -> TermsOfReference:
    draft = TermsOfReference.objects.filter(status=TermsOfReference.Status.DRAFT).first()
    if draft is None:
        body = Body.objects.filter(partnership__slug="derbyshire", terms_of_reference__isnull=False).first()
        draft = terms_of_reference_new_version(
            body=body, based_on=body.terms_of_reference.order_by("-version").first()
        )
    return draft


def _first(model, factory, **filters):
    return model.objects.filter(**filters).order_by("pk").first() or factory()


def records() -> dict[str, object]:
    """The record each kind of address names, from the demo data where it has one."""
    record_demo_decisions()
    derbyshire = Partnership.objects.get(slug="derbyshire")
    return {
        "partnerships": derbyshire,
        "bodies": Body.objects.filter(partnership=derbyshire).order_by("pk").first(),
        "organisations": Organisation.objects.filter(memberships__partnership=derbyshire)
        .order_by("pk")
        .first(),
        "terms-of-reference": _draft_terms(),
        "memberships": Membership.objects.filter(partnership=derbyshire).order_by("pk").first(),
        "appointments": _first(Appointment, factories.AppointmentFactory),
        # The placeholder person with the longest name made a page 1,682 px wide.
        "people": Person.objects.filter(name__startswith="Illustrative example").first()
        or Person.objects.first(),
        "meetings": _first(Meeting, factories.MeetingFactory),
        "decisions": _first(Decision, factories.DecisionFactory),
        "ratifications": _first(Ratification, factories.RatificationFactory),
        "risks": _first(Risk, factories.RiskFactory),
        "risk-registers": _first(RiskRegister, factories.RiskRegisterFactory),
        "risk-escalations": _first(RiskEscalation, factories.RiskEscalationFactory),
        "agenda-items": AgendaItem.objects.order_by("pk").first(),
        "exports": None,  # made below, through the page, if the URLconf has export pages
    }


def page_patterns(patterns=None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    """Every page of the URLconf, included ones too (the meetings' pages), with its full route."""
    found = []
    for pattern in page_urls.urlpatterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += page_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append((route, pattern))
    return found


def staff_urls() -> list[str]:
    found = records()
    urls = []
    for route, pattern in page_patterns():
        if pattern.name in NOT_PAGES or "<" in route.replace("<int:pk>", ""):
            continue  # not a page to look at, or one named by more than a record (a key, a number)
        if "<int:pk>" not in route:
            urls.append(reverse(pattern.name))
            continue
        kind = route.split("<int:pk>")[0].removeprefix("edit/").strip("/").split("/")[-1]
        record = found.get(kind)
        if record is None:
            continue  # no record of the kind to show (exports: none made)
        urls.append(reverse(pattern.name, args=[record.pk]))
    return urls


def problems_on(page, url: str) -> list[str]:
    console, missing = [], []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    found = []
    if response.status >= 500:
        found.append(f"answered {response.status}")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if widths[0] > widths[1]:
        wide = page.evaluate(
            """() => { const limit = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > limit + 1).slice(-3)
              .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.')); }"""
        )
        found.append(f"{widths[0]} px wide in {widths[1]} px ({', '.join(wide)})")
    found += [f"console: {text}" for text in console]
    found += [f"404 asset: {asset}" for asset in missing if asset != url]
    return found


# The pages are shared out in PARTS, so pytest-xdist's workers visit them side by side (one test of
# every page at both widths took two minutes on one worker while the other waited).
PARTS = 3


@pytest.mark.parametrize("part", range(PARTS), ids=lambda part: f"part-{part + 1}-of-{PARTS}")
@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
def test_every_staff_page_fits_and_is_clean(width, part, demo, browser, django_user_model):
    admin = django_user_model.objects.create_user(
        "every-page", password=PASSWORD, is_superuser=True, is_staff=True
    )
    urls = staff_urls()
    assert len(urls) > 40, urls
    failures = []
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, demo.url, admin.username, PASSWORD)
    for url in urls[part::PARTS]:
        if context.request.get(demo.url + url, max_redirects=0).status in (403, 405):
            # A form's target that only takes a POST (adding an agenda item), or a person's own page
            # (their interests, their calendar) for an administrator who is no person of the registry.
            continue
        fresh = context.new_page()
        failures += [f"{width} px {url}: {problem}" for problem in problems_on(fresh, demo.url + url)]
        fresh.close()
    context.close()
    assert not failures, "\n".join(failures)

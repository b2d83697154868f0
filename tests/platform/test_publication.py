"""The public site, its feeds, open data and the anonymous API: what is public is decided in one
place (core/publication.py), and a generated walk of every public URL — taken from the URLconf, so
a new public URL must be covered here — fails on any leak of a restricted, withheld, draft or
unpublished record."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, get_resolver, reverse
from rest_framework.test import APIClient

from core.publication import PUBLIC, public_records
from decisions.models import Decision
from stp_governance.api.urls import router
from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# Words that appear only in records nobody outside may read: none may appear on any public URL.
LEAKS = (
    "SECRET-DECISION",
    "RESTRICTION-REASON",
    "RESTRICTED-ITEM",
    "WITHHELD-INTEREST",
    "WITHHELD-REASON",
    "DRAFT-PURPOSE",
    "UNMINUTED-ATTENDEE",
    "UNPUBLISHED-BODY",
    "UNPUBLISHED-DECISION",
    "UNPUBLISHED-PARTNER",
    "PRIVATE-RISK",
    "RESTRICTED-PAPER",
    "DRAFT-MINUTE",
    "MEMBERS-PACK",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def add_meeting_cycle(body, meeting, restricted_item, matter) -> tuple[dict, dict]:
    """Papers (one on a restricted item), packs (public and members'), minutes (one meeting's
    approved, another's still a draft) and a gift: the public and the hidden of each."""
    import datetime

    from django.core.files.base import ContentFile

    from meetings import services
    from meetings.models import AgendaPack
    from tests.meetings.conftest import pdf_bytes, pdf_upload

    public_item = meeting.agenda_items.get(restricted=False)
    paper = services.paper_upload(
        agenda_item=public_item, upload=pdf_upload("The budget paper"), title="Budget paper"
    )
    secret = services.paper_upload(
        agenda_item=restricted_item, upload=pdf_upload("RESTRICTED-PAPER text"), title="RESTRICTED-PAPER"
    )
    packs = {}
    for members_only, text in ((False, "The public pack"), (True, "MEMBERS-PACK")):
        pack = AgendaPack(meeting=meeting, members_only=members_only, status="done", pages=1)
        pack.file.save(
            f"pack-{members_only}.pdf", ContentFile(pdf_bytes(text))
        )  # saves the row with its file
        packs[members_only] = pack
    services.minutes_draft(meeting=meeting, texts={public_item.pk: "DRAFT-MINUTE of the budget"})

    earlier = factories.MeetingFactory(body=body, starts_at=meeting.starts_at - datetime.timedelta(days=30))
    earlier_item = factories.AgendaItemFactory(meeting=earlier, title="Earlier item")
    minutes = services.minutes_draft(
        meeting=earlier, texts={earlier_item.pk: "Approved minute: the plan was noted."}
    )
    factories.DelegationFactory(partnership=body.partnership, matter=matter, delegate=body)
    services.minutes_approve(minutes=minutes, at=meeting, matter=matter)
    services.gift_declare(
        partnership=body.partnership, person=factories.PersonFactory(name="Gifted Member"), kind="hospitality_meal",
        description="Dinner at a conference", offered_by="A supplier", value_gbp=40,
        offered_on=datetime.date(2018, 1, 10), accepted=True,
    )  # fmt: skip
    public_ids = {"paper": paper.paper_id, "pack": packs[False].pk, "minutes-pdf": earlier.pk}
    hidden_ids = {"paper": [secret.paper_id], "pack": [packs[True].pk], "minutes-pdf": [meeting.pk]}
    return public_ids, hidden_ids


@dataclass
class Site:
    partnership: object
    hidden: object  # the unpublished partnership
    public_ids: dict  # URL name -> the pk of a public record it shows
    hidden_ids: dict  # URL name -> pks of records that must answer 404 on the public site


def build_site() -> Site:
    partnership = factories.PartnershipFactory(
        name="Published Partnership", slug="published", public_site=True
    )
    factories.MembershipFactory(partnership=partnership, organisation__name="Published Partner Trust")
    body = factories.BodyFactory(partnership=partnership, name="Published Board")
    terms = factories.TermsOfReferenceFactory(
        body=body, approved=True, purpose="To hold partners to account."
    )
    draft = factories.TermsOfReferenceFactory(body=body, purpose="DRAFT-PURPOSE of the next version.")
    factories.AppointmentFactory(body=body, role="chair", person__name="Published Chair")
    meeting = factories.MeetingFactory(body=body)
    factories.AgendaItemFactory(meeting=meeting, title="Published agenda item")
    restricted_item = factories.AgendaItemFactory(
        meeting=meeting,
        title="RESTRICTED-ITEM contract award",
        restricted=True,
        restriction_reason="RESTRICTION-REASON",
    )
    factories.AttendanceFactory(meeting=meeting, person__name="UNMINUTED-ATTENDEE")  # minutes not approved
    decision = factories.DecisionFactory(
        body=body, meeting=meeting, resolution="Resolved: the plan is approved."
    )
    factories.RatificationFactory(decision=decision, organisation__name="Ratifying Partner Trust")
    secret = factories.DecisionFactory(
        body=body,
        meeting=meeting,
        agenda_item=restricted_item,
        resolution="SECRET-DECISION to award the contract.",
        restricted=True,
        restriction_reason="RESTRICTION-REASON",
    )
    factories.InterestFactory(
        partnership=partnership, person__name="Declaring Member", description="Trustee of a charity"
    )
    factories.InterestFactory(
        partnership=partnership,
        person__name="Withheld Member",
        description="WITHHELD-INTEREST at a private address",
        withheld=True,
        withheld_reason="WITHHELD-REASON",
    )
    factories.DelegationFactory(partnership=partnership)
    factories.ReservationFactory(partnership=partnership)
    factories.RiskFactory(partnership=partnership, title="PRIVATE-RISK of overspend")

    hidden = factories.PartnershipFactory(name="UNPUBLISHED-PARTNER", slug="unpublished")
    hidden_body = factories.BodyFactory(partnership=hidden, name="UNPUBLISHED-BODY")
    hidden_meeting = factories.MeetingFactory(body=hidden_body)
    hidden_decision = factories.DecisionFactory(
        body=hidden_body, meeting=hidden_meeting, resolution="UNPUBLISHED-DECISION"
    )
    hidden_terms = factories.TermsOfReferenceFactory(body=hidden_body, approved=True)
    cycle_public, cycle_hidden = add_meeting_cycle(body, meeting, restricted_item, decision.matter)
    return Site(
        partnership=partnership,
        hidden=hidden,
        public_ids={
            "body": body.pk,
            "terms-of-reference": terms.pk,
            "meeting": meeting.pk,
            "decision": decision.pk,
            **cycle_public,
        },
        hidden_ids={
            "body": [hidden_body.pk],
            "terms-of-reference": [draft.pk, hidden_terms.pk],
            "meeting": [hidden_meeting.pk],
            "decision": [secret.pk, hidden_decision.pk],
            **cycle_hidden,
        },
    )


def public_patterns() -> list[URLPattern]:
    """Every URL of the public site, from the URLconf."""
    namespace = get_resolver().namespace_dict["public"][1]
    return [pattern for pattern in namespace.url_patterns if isinstance(pattern, URLPattern)]


def url_for(pattern: URLPattern, slug: str, ids: dict) -> str:
    converters = pattern.pattern.converters
    if "pk" in converters:
        assert pattern.name in ids, f"public:{pattern.name} takes a record: add it to build_site()"
        return reverse(f"public:{pattern.name}", kwargs={"slug": slug, "pk": ids[pattern.name]})
    if "slug" in converters:
        return reverse(f"public:{pattern.name}", kwargs={"slug": slug})
    return reverse(f"public:{pattern.name}")


def text_of(response) -> str:
    """What a response shows, files included (a zip is read member by member)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"] == "application/pdf":
        from pypdf import PdfReader

        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if response["Content-Type"] == "application/zip":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return body.decode()


def assert_no_leak(text: str, where: str) -> None:
    for word in LEAKS:
        assert word not in text, f"{word} is shown at {where}"


def public_resources() -> list[str]:
    from core.publication import is_public_kind

    return [prefix for prefix, viewset, basename in router.registry if is_public_kind(viewset.queryset.model)]


def test_every_public_url_shows_public_records_and_nothing_else(client):
    site = build_site()
    visited = 0
    for pattern in public_patterns():
        url = url_for(pattern, site.partnership.slug, site.public_ids)
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_leak(text_of(response), url)
        visited += 1
        # The unpublished partnership: nothing at all, under every URL.
        if "slug" in pattern.pattern.converters:
            hidden_ids = {name: ids[-1] for name, ids in site.hidden_ids.items()}
            assert client.get(url_for(pattern, site.hidden.slug, hidden_ids)).status_code == 404
        # Restricted, draft and other partnerships' records: not found on the published site.
        for pk in site.hidden_ids.get(pattern.name, []):
            hidden_url = url_for(pattern, site.partnership.slug, {pattern.name: pk})
            assert client.get(hidden_url).status_code == 404, hidden_url
    assert visited >= 13
    for url in (reverse("robots"), reverse("sitemap")):
        response = client.get(url)
        assert response.status_code == 200 and "unpublished" not in text_of(response)
    assert "/public/published/" in text_of(client.get(reverse("sitemap")))

    # The anonymous API: every resource whose records may be public, none of the rest.
    api = APIClient()
    resources = public_resources()
    assert {"bodies", "decisions", "interests", "appointments"} <= set(resources)
    for prefix, _viewset, basename in router.registry:
        response = api.get(reverse(f"api:{basename}-list"))
        if prefix in resources:
            assert response.status_code == 200, prefix
            assert_no_leak(response.content.decode(), f"/api/v1/{prefix}/")
        else:
            assert response.status_code == 401, prefix


def test_the_public_pages_show_what_the_partnership_publishes(client):
    site = build_site()
    slug = site.partnership.slug
    home = client.get(reverse("public:partnership", args=[slug])).content.decode()
    assert "Published Partner Trust" in home and "Published Board" in home
    body = client.get(reverse("public:body", args=[slug, site.public_ids["body"]])).content.decode()
    assert "To hold partners to account." in body and "Published Chair" in body
    meeting = client.get(reverse("public:meeting", args=[slug, site.public_ids["meeting"]])).content.decode()
    assert "Published agenda item" in meeting and "minutes of this meeting have not been approved" in meeting
    assert "Budget paper" in meeting and "Download the agenda pack" in meeting
    earlier = client.get(
        reverse("public:meeting", args=[slug, site.public_ids["minutes-pdf"]])
    ).content.decode()
    assert "Approved minute: the plan was noted." in earlier and "The approved minutes (PDF)" in earlier
    paper = client.get(reverse("public:paper", args=[slug, site.public_ids["paper"]]))
    assert "The budget paper" in text_of(paper)
    gifts = client.get(reverse("public:gifts", args=[slug])).content.decode()
    assert "Dinner at a conference" in gifts and "Gifted Member" in gifts
    decision = client.get(
        reverse("public:decision", args=[slug, site.public_ids["decision"]])
    ).content.decode()
    assert "Resolved: the plan is approved." in decision and "Ratifying Partner Trust" in decision
    interests = client.get(reverse("public:interests", args=[slug])).content.decode()
    assert "Trustee of a charity" in interests and "Withheld Member" not in interests


def test_attendance_is_published_once_the_minutes_are_approved(client):
    site = build_site()
    from decisions.models import Meeting

    meeting = Meeting.objects.get(pk=site.public_ids["meeting"])
    url = reverse("public:meeting", args=[site.partnership.slug, meeting.pk])
    assert "UNMINUTED-ATTENDEE" not in client.get(url).content.decode()
    approving = factories.MeetingFactory(body=meeting.body)
    Meeting.objects.filter(pk=meeting.pk).update(minutes_approved_at=approving)
    assert "UNMINUTED-ATTENDEE" in client.get(url).content.decode()


def test_public_records_are_what_restrict_gives_an_anonymous_reader():
    site = build_site()
    from core.access import restrict

    public = set(public_records(Decision.objects.all()).values_list("pk", flat=True))
    assert public == set(restrict(Decision.objects.all(), PUBLIC).values_list("pk", flat=True))
    # The published partnership's unrestricted decisions (the minutes' approval among them), no other
    expected = Decision.objects.filter(body__partnership=site.partnership, restricted=False)
    assert public == set(expected.values_list("pk", flat=True)) and site.public_ids["decision"] in public


def test_public_pages_are_cacheable_and_answer_a_conditional_get_with_304(client):
    site = build_site()
    url = reverse("public:partnership", args=[site.partnership.slug])
    first = client.get(url)
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    assert first.has_header("ETag")
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert not first.cookies  # no session or CSRF cookie: a visitor without cookies gets the shared copy


def test_public_pages_are_throttled_per_client_address(client, settings):
    from django.core.cache import caches

    caches["throttle"].clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_address": "3/minute"}
    site = build_site()
    url = reverse("public:partnership", args=[site.partnership.slug])
    statuses = [client.get(url, REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR="203.0.113.10").status_code == 200
    api = APIClient(REMOTE_ADDR="203.0.113.11")
    assert [api.get(reverse("api:body-list")).status_code for _ in range(4)] == [200, 200, 200, 429]
    caches["throttle"].clear()


def test_the_atom_feeds_parse_as_atom_with_an_entry_per_public_record(client):
    site = build_site()
    feed = ET.fromstring(client.get(reverse("public:decisions-feed", args=[site.partnership.slug])).content)
    assert feed.tag == f"{ATOM}feed"
    links = {entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")}
    public = public_records(Decision.objects.all())
    assert len(links) == public.count() == 2  # the decision and the minutes' approval; not the restricted one
    assert any(link.endswith(f"/public/published/decisions/{site.public_ids['decision']}/") for link in links)
    meetings = ET.fromstring(
        client.get(reverse("public:meetings-feed", args=[site.partnership.slug])).content
    )
    assert len(meetings.findall(f"{ATOM}entry")) == 2


def test_the_open_data_package_validates_with_frictionless(client, tmp_path):
    from frictionless import Package, validate

    site = build_site()
    response = client.get(reverse("public:open-data", args=[site.partnership.slug]))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        archive.extractall(tmp_path)
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = Package(tmp_path / "datapackage.json")
    names = {resource.name for resource in package.resources}
    assert {
        "memberships",
        "bodies",
        "appointments",
        "decisions",
        "interests",
        "delegations",
        "gifts_and_hospitality",
    } <= names
    assert not {"risks", "proposals", "actions"} & names  # never public
    decisions = package.get_resource("decisions").read_rows()
    assert {row["id"] for row in decisions} == set(
        public_records(Decision.objects.all()).values_list("pk", flat=True)
    )
    assert package.licenses[0]["name"] == "OGL-UK-3.0"
    popolo = (tmp_path / "popolo.json").read_text()
    assert "Published Chair" in popolo and "UNPUBLISHED" not in popolo


def test_the_public_pages_read_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    site = build_site()
    from decisions.models import Meeting

    body = site.public_ids["body"]
    meeting = Meeting.objects.get(pk=site.public_ids["meeting"])
    for _ in range(5):
        factories.AppointmentFactory(body_id=body)
        factories.DecisionFactory(body_id=body, meeting=meeting)
        factories.AgendaItemFactory(meeting=meeting)
    slug = site.partnership.slug
    for url, most in (
        (reverse("public:partnership", args=[slug]), 6),
        (reverse("public:body", args=[slug, body]), 8),
        (reverse("public:decisions", args=[slug]), 6),
        (reverse("public:meeting", args=[slug, site.public_ids["meeting"]]), 12),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200


def test_switching_the_public_site_off_hides_everything_at_once(client):
    site = build_site()
    url = reverse("public:partnership", args=[site.partnership.slug])
    assert client.get(url).status_code == 200
    type(site.partnership).objects.filter(pk=site.partnership.pk).update(public_site=False)
    assert client.get(url).status_code == 404
    assert APIClient().get(reverse("api:body-list")).json()["results"] == []


def test_an_anonymous_caller_cannot_write_through_the_api():
    site = build_site()
    response = APIClient().post(reverse("api:body-list"), {"name": "X", "partnership": site.partnership.pk})
    assert response.status_code == 401


def test_the_public_index_lists_only_published_partnerships(client):
    build_site()
    index = client.get(reverse("public:index")).content.decode()
    assert "Published Partnership" in index and "UNPUBLISHED-PARTNER" not in index


def test_the_partnership_administrator_switches_the_public_site_on_from_its_page(client):
    from core.access import grant_role

    partnership = factories.PartnershipFactory(slug="switched")
    secretariat, administrator = factories.UserFactory(), factories.UserFactory()
    grant_role(user=secretariat, partnership=partnership, role="secretariat")
    grant_role(user=administrator, partnership=partnership, role="administrator")
    public_url = reverse("public:partnership", args=["switched"])
    assert client.get(public_url).status_code == 404
    page = reverse("edit-public-site", args=[partnership.pk])

    client.force_login(secretariat)  # the secretariat keeps the records; publishing is the administrator's
    assert client.get(page).status_code == 403
    assert (
        client.post(page, {"public_site": "on", "expected_revision": partnership.revision}).status_code == 403
    )
    assert b"Public site" not in client.get(reverse("partnership-detail", args=[partnership.pk])).content

    client.force_login(administrator)
    form = client.get(page)
    assert form.status_code == 200 and "Publish the partnership" in form.content.decode()
    saved = client.post(page, {"public_site": "on", "expected_revision": partnership.revision})
    assert saved.status_code == 302
    client.logout()
    assert client.get(public_url).status_code == 200


def test_who_can_approve_is_answered_publicly_from_the_public_scheme_only(client):
    from delegation.models import Delegation

    site = build_site()
    delegation = (
        Delegation.objects.filter(partnership=site.partnership).select_related("matter", "delegate").first()
    )
    url = reverse("public:who-can-approve", args=[site.partnership.slug])
    asked = {"partnership": site.partnership.pk, "matter": delegation.matter_id, "amount": "£250k"}
    answer = client.get(url, asked).content.decode()
    assert "The answer, on" in answer and delegation.delegate.name in answer
    assert "/sign-in/" not in client.get(url, asked).get("Location", "")
    # Another partnership (not published) cannot be asked about here: a form error, nothing of it shown.
    refused = client.get(url, {**asked, "partnership": site.hidden.pk})
    assert refused.status_code == 200 and "The answer, on" not in refused.content.decode()
    assert_no_leak(refused.content.decode(), url)


def test_the_public_site_command_switches_sites_on_and_off():
    from django.core.management import CommandError, call_command

    site = build_site()
    call_command("public_site", site.hidden.slug)
    site.hidden.refresh_from_db()
    assert site.hidden.public_site is True
    call_command("public_site", "--all", "--off")
    assert not type(site.hidden).objects.filter(public_site=True).exists()
    with pytest.raises(CommandError, match="no-such-partnership"):
        call_command("public_site", "no-such-partnership")

"""The meeting cycle's access matrix, generated from meetings/urls.py (as tests/platform's
cross-tenant matrix is from the URLconf): every page is listed here with how to make its record in
a partnership, and a page added later without an entry fails the first test.

- another partnership's records: 404 to its secretariat, for reading and for writing;
- read-only roles (viewer, member) on the partnership's own records: 403 on every write;
- restricted items: their papers, versions, packs, minute entries and actions are 404 to viewers
  and to members who do not sit on the body, readable by its members and the secretariat;
- signed-out: every page asks for sign-in, except the calendar feed, whose token is the credential.
"""

import datetime

import pytest
from django.urls import URLPattern, reverse

from meetings import services, urls
from meetings.models import AgendaPack
from tests import factories
from tests.meetings.conftest import pdf_upload, user_for

pytestmark = pytest.mark.django_db


def _meeting(p):
    return factories.MeetingFactory(body__partnership=p)


def _item(p, restricted=False):
    meeting = _meeting(p)
    return services.agenda_item_add(
        meeting=meeting,
        title="Contract",
        restricted=restricted,
        restriction_reason="Commercial" if restricted else "",
    )


def _paper(p, restricted=False):
    return services.paper_upload(agenda_item=_item(p, restricted), upload=pdf_upload("Secret paper")).paper


def _pack(p, restricted=False):
    item = _item(p, restricted)
    services.paper_upload(agenda_item=item, upload=pdf_upload())
    from meetings import packs

    for pack in services.pack_request(meeting=item.meeting):
        packs.pack_run(pack_id=pack.pk)
    return AgendaPack.objects.filter(meeting=item.meeting, members_only=restricted, superseded=False).get()


def _entry(p, restricted=False):
    item = _item(p, restricted)
    minutes = services.minutes_draft(meeting=item.meeting, texts={item.pk: "Minuted."})
    return minutes.entries.get()


def _action(p, restricted=False):
    item = _item(p, restricted)
    person = factories.AppointmentFactory(body=item.meeting.body).person
    return services.action_add(
        agenda_item=item, description="Do it", owner=person, due_on=datetime.date(2030, 1, 1)
    )


def _with_minutes(p):
    return _entry(p).minutes.meeting


# name -> (how to make the record in a partnership, "read" or "write"); None: a page of one's own.
PAGES = {
    "meeting-detail": (_meeting, "read"),
    "meeting-item-add": (_meeting, "write"),
    "meeting-item-from-plan": (_meeting, "write"),
    "meeting-item-from-action": (_meeting, "write"),
    "meeting-attendance": (_meeting, "write"),
    "meeting-pack-make": (_meeting, "write"),
    "meeting-notice": (_meeting, "write"),
    "meeting-minutes": (_with_minutes, "read"),
    "meeting-minutes-pdf": (_with_minutes, "read"),
    "meeting-minutes-approve": (_meeting, "write"),
    "meeting-paper-upload": (_item, "write"),
    "meeting-item": (_item, "write"),
    "meeting-declare": (_item, "write"),
    "meeting-decision-add": (_item, "write"),
    "meeting-action-add": (_item, "write"),
    "meeting-paper": (_paper, "read"),
    "meeting-paper-download": (_paper, "read"),
    "meeting-paper-version": (_paper, "read"),
    "meeting-pack": (_pack, "read"),
    "meeting-pack-download": (_pack, "read"),
    "meeting-minute-amend": (_entry, "write"),
    "meeting-action": (_action, "read"),
    "forward-plan": (lambda p: factories.BodyFactory(partnership=p), "read"),
    "meeting-list": (lambda p: factories.BodyFactory(partnership=p), "read"),
    "gifts-register": (lambda p: p, "read"),
    "declaration-rounds": (lambda p: p, "write"),
    "my-interests": (None, "own"),
    "my-calendar": (None, "own"),
    "paper-search": (None, "own"),
    "calendar-feed": (None, "token"),
}
RESTRICTED = {
    "meeting-paper": _paper,
    "meeting-paper-download": _paper,
    "meeting-paper-version": _paper,
    "meeting-pack": _pack,
    "meeting-pack-download": _pack,
    "meeting-action": _action,
}


def url_of(name, record):
    if name == "meeting-paper-version":
        return reverse(name, args=[record.pk, 1])
    return reverse(name, args=[record.pk])


def test_every_meeting_cycle_page_is_in_the_access_matrix():
    assert {p.name for p in urls.urlpatterns if isinstance(p, URLPattern)} == set(PAGES)


@pytest.fixture
def ours(db):
    return factories.PartnershipFactory(name="Ours")


@pytest.fixture
def theirs(db):
    return factories.PartnershipFactory(name="Theirs")


def paged():
    return sorted(n for n, (build, _) in PAGES.items() if build is not None)


@pytest.mark.parametrize("name", paged())
def test_another_partnerships_records_are_not_found(name, client, ours, theirs):
    build, kind = PAGES[name]
    record = build(theirs)
    client.force_login(user_for(ours, "secretariat"))
    url = url_of(name, record)
    assert client.get(url).status_code in ((404,) if kind == "read" else (404, 405))
    assert client.post(url, {"title": "Taken over", "text": "x", "reason": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "member"])
@pytest.mark.parametrize("name", sorted(n for n, (_, kind) in PAGES.items() if kind == "write"))
def test_read_only_roles_may_not_write(name, role, client, ours):
    record = PAGES[name][0](ours)
    client.force_login(user_for(ours, role))
    url = url_of(name, record)
    assert client.post(url, {"title": "Changed", "text": "x", "reason": "x"}).status_code == 403


@pytest.mark.parametrize("name", sorted(RESTRICTED))
def test_restricted_items_are_read_only_by_the_bodys_members_and_the_secretariat(name, client, ours):
    record = RESTRICTED[name](ours, True)
    url = url_of(name, record)
    body = record.body if hasattr(record, "body") else (
        record.meeting.body if hasattr(record, "meeting") else record.agenda_item.meeting.body
    )  # fmt: skip
    seated = factories.AppointmentFactory(body=body).person
    outsider = factories.AppointmentFactory(body=factories.BodyFactory(partnership=ours)).person
    expected = {
        "viewer": (user_for(ours, "viewer"), 404),
        "member elsewhere": (user_for(ours, "member", outsider), 404),
        "member of the body": (user_for(ours, "member", seated), 200),
        "secretariat": (user_for(ours, "secretariat"), 200),
    }
    for who, (user, status) in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == status, who


@pytest.mark.parametrize("name", sorted(RESTRICTED))
def test_published_records_are_readable_by_viewers(name, client, ours):
    record = RESTRICTED[name](ours, False)
    client.force_login(user_for(ours, "viewer"))
    assert client.get(url_of(name, record)).status_code == 200


def test_a_restricted_item_is_left_off_the_meeting_page_and_search_for_a_viewer(client, ours):
    paper = _paper(ours, restricted=True)
    meeting = paper.agenda_item.meeting
    services.agenda_item_add(meeting=meeting, title="Published business")
    client.force_login(user_for(ours, "viewer"))
    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "Published business" in page and "Contract" not in page
    assert "Secret paper" not in client.get(reverse("paper-search"), {"q": "secret paper"}).content.decode()
    client.force_login(user_for(ours, "secretariat"))
    found = client.get(reverse("paper-search"), {"q": "secret paper"}).content.decode()
    assert f"/papers/{paper.pk}/" in found and "<mark>Secret</mark>" in found


@pytest.mark.parametrize("name", sorted(PAGES))
def test_signed_out_requests_are_sent_to_sign_in(name, client, ours):
    build, kind = PAGES[name]
    if kind == "token":
        assert client.get(reverse(name, args=["not-a-token"])).status_code == 404
        return
    url = reverse(name) if build is None else url_of(name, build(ours))
    response = client.get(url)
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))

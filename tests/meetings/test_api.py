"""The meeting cycle's read-only API: the same `restrict()` answers as the pages and the public
site (partnerships, restricted items, draft minutes), a download link that checks who may read,
lists in a constant number of queries, and no writes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from meetings import services
from stp_governance.api.urls import router
from tests import factories
from tests.meetings.conftest import pdf_upload, restricted_item, user_for
from tests.platform.conftest import client_for

pytestmark = pytest.mark.django_db

MEETING_ROUTES = [
    (prefix, basename or router.get_default_basename(viewset))
    for prefix, viewset, basename in router.registry
    if viewset.__module__ == "meetings.api.views"
]


def paper_in(partnership, *, title="A paper", item=None):
    item = item or factories.AgendaItemFactory(meeting__body__partnership=partnership)
    return services.paper_upload(agenda_item=item, upload=pdf_upload(title), title=title).paper


def ids(client, basename: str, **params) -> set[int]:
    response = client.get(reverse(f"api:{basename}-list"), {"limit": 1000, **params})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def ours(db):
    return factories.PartnershipFactory(name="Our Partnership", public_site=True)


@pytest.fixture
def theirs(db):
    return factories.PartnershipFactory(name="Their Partnership")


def test_a_member_sees_their_partnerships_papers_and_not_anothers(ours, theirs):
    mine, other = paper_in(ours), paper_in(theirs)
    member = client_for(user_for(ours, "member"))

    assert mine.pk in ids(member, "paper")
    assert other.pk not in ids(member, "paper")
    assert member.get(reverse("api:paper-detail", args=[other.pk])).status_code == 404
    response = member.get(reverse("api:paper-detail", args=[mine.pk]))
    assert mine.versions.get().file.name not in response.content.decode()  # never the storage path
    row = response.json()
    assert (row["current_version"], row["content_type"], row["meeting"]["id"]) == (
        1,
        "application/pdf",
        mine.agenda_item.meeting_id,
    )
    assert row["size"] > 0 and row["uploaded_at"]
    assert row["download_url"].endswith(reverse("api:paper-file", args=[mine.pk]))


def test_a_restricted_items_paper_is_listed_for_the_bodys_members_only(ours):
    item = restricted_item(ours)
    paper = paper_in(ours, item=item)
    public_paper = paper_in(ours)
    seated = factories.AppointmentFactory(body=item.meeting.body).person
    member = client_for(user_for(ours, "member", seated))
    viewer = client_for(user_for(ours, "viewer"))
    anonymous = APIClient()

    assert paper.pk in ids(member, "paper")
    assert paper.pk not in ids(viewer, "paper")
    assert public_paper.pk in ids(viewer, "paper")
    assert paper.pk not in ids(anonymous, "paper")
    assert public_paper.pk in ids(anonymous, "paper")  # the partnership publishes its site
    assert viewer.get(reverse("api:paper-detail", args=[paper.pk])).status_code == 404
    assert anonymous.get(reverse("api:paper-detail", args=[paper.pk])).status_code == 404


def test_draft_minutes_are_not_public_and_approved_ones_are(ours):
    draft = factories.MinutesFactory(meeting__body__partnership=ours)
    body = draft.meeting.body
    approval = factories.DecisionFactory(body=body, minute_reference="B/18/07")
    approved = factories.MinutesFactory(
        meeting__body=body, status="approved", approval=approval, approved_on=datetime.date(2018, 3, 1)
    )
    anonymous = APIClient()

    assert ids(anonymous, "minutes") >= {approved.pk}
    assert draft.pk not in ids(anonymous, "minutes")
    assert anonymous.get(reverse("api:minutes-detail", args=[draft.pk])).status_code == 404
    row = anonymous.get(reverse("api:minutes-detail", args=[approved.pk])).json()
    assert (row["status"], row["minute_reference"]) == ("approved", "B/18/07")
    assert draft.pk in ids(client_for(user_for(ours, "viewer")), "minutes")


def test_the_download_url_answers_those_who_may_read_the_paper(client, ours, theirs):
    item = restricted_item(ours)
    paper = paper_in(ours, item=item)
    seated = factories.AppointmentFactory(body=item.meeting.body).person
    reader = user_for(ours, "member", seated)
    url = client_for(reader).get(reverse("api:paper-detail", args=[paper.pk])).json()["download_url"]

    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    for outsider in (user_for(ours, "viewer"), user_for(theirs, "secretariat")):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_the_papers_list_reads_in_a_constant_number_of_queries(ours, django_assert_max_num_queries):
    paper_in(ours)
    api = client_for(user_for(ours, "secretariat"))
    url = reverse("api:paper-list")
    with CaptureQueriesContext(connection) as one:
        assert api.get(url).status_code == 200
    for n in range(8):
        paper_in(ours, title=f"Paper {n}")

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = api.get(url)
    assert len(response.json()["results"]) == 9


@pytest.mark.parametrize(("prefix", "basename"), MEETING_ROUTES, ids=[p for p, _ in MEETING_ROUTES])
def test_the_meeting_cycle_is_read_only_over_the_api(prefix, basename, ours):
    api = client_for(factories.UserFactory(is_superuser=True))
    listed, detail = reverse(f"api:{basename}-list"), reverse(f"api:{basename}-detail", args=[1])

    assert api.get(listed).status_code == 200
    responses = [
        api.post(listed, {}, format="json"),
        api.put(detail, {}, format="json", HTTP_IF_MATCH="*"),
        api.patch(detail, {}, format="json", HTTP_IF_MATCH="*"),
        api.delete(detail, HTTP_IF_MATCH="*"),
    ]
    assert [r.status_code for r in responses] == [405] * 4
    assert "POST" not in responses[0]["Allow"]


def test_declaration_rounds_are_read_by_the_secretariat_as_on_their_page(ours):
    made = factories.DeclarationReturnFactory(round__partnership=ours)
    factories.DeclarationReturnFactory(round=made.round, nil_return=False)

    rows = client_for(user_for(ours, "secretariat")).get(reverse("api:declarationround-list")).json()
    assert [(r["id"], r["returns_made"], r["nil_returns"]) for r in rows["results"]] == [
        (made.round_id, 2, 1)
    ]
    assert ids(client_for(user_for(ours, "member")), "declarationround") == set()
    assert ids(client_for(user_for(ours, "member")), "declarationreturn") == set()


def test_history_is_read_per_record_and_an_untracked_pack_has_none(ours):
    api = client_for(user_for(ours, "secretariat"))
    paper = paper_in(ours)
    pack = factories.AgendaPackFactory(meeting__body__partnership=ours)

    events = api.get(reverse("api:paper-history", args=[paper.pk]))
    assert events.status_code == 200 and [e["label"] for e in events.json()][:1] == ["insert"]
    assert api.get(reverse("api:agendapack-history", args=[pack.pk])).json() == []
    assert "ETag" not in api.get(reverse("api:agendapack-detail", args=[pack.pk]))


def token_client(user, *, read_only=True) -> APIClient:
    from core.tokens import api_token_issue

    _, key = api_token_issue(name="system", user=user, partnership=None, read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_another_system_fetches_a_paper_with_its_token_only(ours, theirs):
    paper = paper_in(ours, title="Estates strategy")
    reader = token_client(user_for(ours, "viewer"))
    url = reader.get(reverse("api:paper-detail", args=[paper.pk])).json()["download_url"]
    response = reader.get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    outsider = token_client(user_for(theirs, "secretariat"))
    refused = outsider.get(url, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 404 and refused.json() == {"detail": "Not found."}
    # Without an account: a published partnership's public paper, as on its public site; not theirs.
    assert APIClient().get(url).status_code == 200
    theirs_paper = paper_in(theirs, title="Unpublished partnership's paper")
    assert APIClient().get(reverse("api:paper-file", args=[theirs_paper.pk])).status_code in (401, 404)


def test_an_earlier_version_is_fetched_by_its_number(ours):
    paper = paper_in(ours, title="Budget")
    services.paper_upload(agenda_item=paper.agenda_item, upload=pdf_upload("Budget, revised"), paper=paper)
    api = token_client(user_for(ours, "secretariat"))
    url = reverse("api:paper-file", args=[paper.pk])
    assert "(v2).pdf" in api.get(url)["Content-Disposition"]
    assert "(v1).pdf" in api.get(url, {"version": 1})["Content-Disposition"]
    assert api.get(url, {"version": 9}).status_code == 404
    assert api.get(url, {"version": "x"}).status_code == 404


def test_a_pack_is_fetched_once_it_is_made(ours):
    from meetings.models import AgendaPack

    meeting = factories.MeetingFactory(body__partnership=ours)
    pack = AgendaPack.objects.create(meeting=meeting, members_only=False)
    api = token_client(user_for(ours, "secretariat"))
    assert api.get(reverse("api:agendapack-detail", args=[pack.pk])).json()["download_url"] is None
    assert api.get(reverse("api:agendapack-file", args=[pack.pk])).status_code == 404

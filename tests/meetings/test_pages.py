"""The meeting cycle's pages and reads: constant queries, calendars, notices, reminders, the home
page's queries, the pack's memory."""

import datetime
import gc
import io
import tracemalloc

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisions.models import Meeting
from meetings import calendars, notices, packs, queries, reminders, services
from meetings.models import AgendaPack, CalendarSubscription
from tests import factories
from tests.meetings.conftest import attend, docx_upload, pdf_upload, user_for

pytestmark = pytest.mark.django_db


def fill_agenda(scheme, meeting, count):
    supplier = scheme.parties[0]
    for n in range(count):
        item = services.agenda_item_add(
            meeting=meeting,
            title=f"Item {n}",
            presenter=scheme.members[n % 4],
            organisations=[supplier],
            restricted=n % 3 == 2,
            restriction_reason="Commercial" if n % 3 == 2 else "",
        )
        services.paper_upload(agenda_item=item, upload=pdf_upload(f"Paper {n}"))
        services.paper_upload(agenda_item=item, upload=docx_upload(f"Annex {n}"))
        services.action_add(
            agenda_item=item,
            description=f"Action {n}",
            owner=scheme.members[1],
            due_on=datetime.date(2030, 1, 1),
        )


def test_the_meeting_page_runs_the_same_queries_however_long_the_agenda(
    scheme, secretariat, django_assert_max_num_queries
):
    factories.InterestFactory(
        partnership=scheme.partnership, person=scheme.members[2], organisation=scheme.parties[0]
    )
    attend(scheme.meeting, scheme.members)
    other = factories.MeetingFactory(
        body=scheme.board, starts_at=scheme.meeting.starts_at + datetime.timedelta(days=30)
    )
    fill_agenda(scheme, scheme.meeting, 3)
    fill_agenda(scheme, other, 12)
    client = Client()
    client.force_login(secretariat)
    client.get(reverse("meeting-detail", args=[other.pk]))  # content types and permissions cached
    counts = []
    for meeting in (scheme.meeting, other):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("meeting-detail", args=[meeting.pk]))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[0]):
        client.get(reverse("meeting-detail", args=[other.pk]))


def test_the_agenda_list_runs_the_same_queries_however_many_meetings(scheme, secretariat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(secretariat)
    url = reverse("meeting-list", args=[scheme.board.pk])
    fill_agenda(scheme, scheme.meeting, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(6):
        meeting = factories.MeetingFactory(
            body=scheme.board, starts_at=scheme.meeting.starts_at + datetime.timedelta(days=7 * (n + 1))
        )
        fill_agenda(scheme, meeting, 2)
    with CaptureQueriesContext(connection) as seven:
        response = client.get(url)
    assert len(one) == len(seven)
    assert response.content.decode().count("/meetings/") >= 7


def test_the_minutes_page_and_search_run_constant_queries(scheme, secretariat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = factories.MeetingFactory(
        body=scheme.board, starts_at=scheme.meeting.starts_at + datetime.timedelta(days=30)
    )
    fill_agenda(scheme, scheme.meeting, 2)
    fill_agenda(scheme, other, 9)
    client = Client()
    client.force_login(secretariat)
    client.get(reverse("meeting-minutes", args=[other.pk]))  # content types and permissions cached
    counts = []
    for meeting in (scheme.meeting, other):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("meeting-minutes", args=[meeting.pk])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("paper-search"), {"q": "paper 1"})
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("paper-search"), {"q": "paper"})
    assert len(few) == len(many)


def test_a_personal_calendar_shows_a_private_meeting_only_as_a_meeting_of_the_body(scheme, client):
    viewer_person = scheme.members[3]
    user_for(scheme.partnership, "viewer", viewer_person)
    private = factories.MeetingFactory(
        body=scheme.board, starts_at=timezone.now() + datetime.timedelta(days=3), status="scheduled"
    )
    services.agenda_item_add(
        meeting=private, title="Redundancy programme", restricted=True, restriction_reason="Staff"
    )
    _, token = services.subscription_create(person=viewer_person)
    feed = client.get(reverse("calendar-feed", args=[token])).content.decode().replace("\r\n ", "")
    assert "SUMMARY:Meeting of Partnership Board" in feed and "Redundancy" not in feed

    member_person = scheme.members[1]
    user_for(scheme.partnership, "member", member_person)
    _, member_token = services.subscription_create(person=member_person)
    feed = client.get(reverse("calendar-feed", args=[member_token])).content.decode().replace("\r\n ", "")
    assert "Redundancy programme" in feed and f"/meetings/{private.pk}/" in feed


def test_a_calendar_address_stops_when_revoked_or_the_account_ends(scheme, client):
    person = scheme.members[1]
    user = user_for(scheme.partnership, "member", person)
    subscription, token = services.subscription_create(person=person, body=scheme.board)
    assert CalendarSubscription.objects.get().token_hash != token  # only the hash is kept
    url = reverse("calendar-feed", args=[token])
    assert client.get(url).status_code == 200
    assert "Authorization" not in client.get(url).request
    user.is_active = False
    user.save()
    assert client.get(url).status_code == 404
    user.is_active = True
    user.save()
    services.subscription_revoke(subscription=subscription)
    assert client.get(url).status_code == 404
    assert calendars.subscription_for("x" * 500) is None


def test_the_notice_emails_members_links_to_pages(scheme, settings):
    settings.SITE_URL = "https://registry.example.org"
    for person in scheme.members:
        person.email = f"{person.name.replace(' ', '.').lower()}@example.org"
        person.save()
    meeting = factories.MeetingFactory(
        body=scheme.board, starts_at=timezone.now() + datetime.timedelta(days=7), status="scheduled"
    )
    item = services.agenda_item_add(meeting=meeting, title="Budget")
    services.paper_upload(agenda_item=item, upload=pdf_upload())
    for pack in services.pack_request(meeting=meeting):
        packs.pack_run(pack_id=pack.pk)
    notice = notices.notice_send(meeting=meeting)
    assert notices.notice_emails(notice_id=notice.pk) == 4
    body = mail.outbox[0].body
    assert f"https://registry.example.org/meetings/{meeting.pk}/" in body
    assert "/packs/" in body and "/api/" not in body
    meeting.refresh_from_db()
    assert meeting.notice_given_on == timezone.localdate()


def test_overdue_actions_remind_their_owner_and_link_to_a_page(scheme):
    owner = scheme.members[2]
    owner.email = "owner@example.org"
    owner.save()
    item = services.agenda_item_add(meeting=scheme.meeting, title="Estates")
    action = services.action_add(
        agenda_item=item,
        description="Draft the estates plan",
        owner=owner,
        due_on=scheme.meeting.meeting_date,
    )
    found = reminders.overdue_action_reminders(scheme.meeting.meeting_date + datetime.timedelta(days=1))
    assert [(r.subject_key, r.recipients[0].email, r.url) for r in found] == [
        (f"action-overdue:{action.pk}", "owner@example.org", reverse("meeting-action", args=[action.pk]))
    ]
    services.action_update(action=action, text="Done", status="done")
    assert reminders.overdue_action_reminders(scheme.meeting.meeting_date + datetime.timedelta(days=1)) == []


def test_the_home_page_queries_for_a_member(scheme, django_assert_max_num_queries):
    person = scheme.members[1]
    user = user_for(scheme.partnership, "member", person)
    soon = factories.MeetingFactory(
        body=scheme.board, starts_at=timezone.now() + datetime.timedelta(days=5), status="scheduled"
    )
    item = services.agenda_item_add(meeting=soon, title="Budget")
    secret = services.agenda_item_add(meeting=soon, title="Secret", restricted=True, restriction_reason="x")
    services.paper_upload(agenda_item=item, upload=pdf_upload(), title="Budget paper")
    services.paper_upload(agenda_item=secret, upload=pdf_upload(), title="Secret paper")
    factories.MeetingFactory(
        body=scheme.executive, starts_at=timezone.now() + datetime.timedelta(days=6)
    )  # not theirs
    old_item = services.agenda_item_add(meeting=scheme.meeting, title="Old")
    overdue = services.action_add(
        agenda_item=old_item, description="Late", owner=person, due_on=scheme.meeting.meeting_date
    )
    with django_assert_max_num_queries(8):
        meetings = queries.next_meetings_for(user)
    assert [m.pk for m in meetings] == [soon.pk]
    assert [p.title for p in meetings[0].visible_papers] == [
        "Budget paper",
        "Secret paper",
    ]  # a member of the body
    assert [a.pk for a in queries.overdue_actions_for(user)] == [overdue.pk]
    viewer = user_for(scheme.partnership, "viewer")
    assert queries.next_meetings_for(viewer) == [] and queries.overdue_actions_for(viewer) == []


def test_a_declaration_round_reminds_members_without_a_return_and_reports_completion(
    scheme, client, secretariat
):
    on = datetime.date(2026, 11, 30)  # a Monday
    round_ = services.round_open(
        partnership=scheme.partnership, year=2026, opens_on=on, closes_on=on + datetime.timedelta(days=30)
    )
    for person in scheme.members:
        person.email = f"{person.name.replace(' ', '.').lower()}@example.org"
        person.save()
    services.return_make(round=round_, person=scheme.members[0], nil_return=True)
    found = reminders.declaration_round_reminders(on)
    assert sorted(r.recipients[0].name for r in found) == ["Member 1", "Member 2", "Member 3"]
    assert all(r.url == reverse("my-interests") for r in found)
    assert (
        reminders.declaration_round_reminders(on + datetime.timedelta(days=1)) == []
    )  # weekly until the last week
    client.force_login(secretariat)
    report = client.get(reverse("declaration-rounds", args=[scheme.partnership.pk])).content.decode()
    assert "1 of 4 returns made" in report and "Outstanding" in report


def test_a_member_may_declare_only_their_own_interest(scheme, client):
    person = scheme.members[1]
    client.force_login(user_for(scheme.partnership, "member", person))
    response = client.post(
        reverse("my-interests"),
        {"form": "interest", "interest-partnership": scheme.partnership.pk, "interest-kind": "financial",
         "interest-description": "Shares in a supplier", "interest-organisation": scheme.parties[0].pk},
    )  # fmt: skip
    assert response.status_code == 302
    interest = person.interests.get()
    assert interest.declared_on == timezone.localdate() and interest.organisation == scheme.parties[0]
    other = factories.PartnershipFactory()
    refused = client.post(
        reverse("my-interests"),
        {
            "form": "interest",
            "interest-partnership": other.pk,
            "interest-kind": "financial",
            "interest-description": "x",
        },
    )
    assert refused.status_code == 400 and person.interests.count() == 1


def test_bad_uploads_are_form_errors_not_server_errors(scheme, secretariat, client):
    item = services.agenda_item_add(meeting=scheme.meeting, title="Report")
    client.force_login(secretariat)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("meeting-paper-upload", args=[item.pk]), {"file": SimpleUploadedFile("a.pdf", b"hello")}
    )
    assert response.status_code == 400
    assert "Upload a PDF, Word" in response.content.decode()
    response = client.post(reverse("meeting-paper-upload", args=[item.pk]), {})
    assert response.status_code == 400


def _pack_peak(scheme, papers: int, pages_each: int) -> int:
    """Peak Python memory (tracemalloc) while the job makes a pack of `papers` papers."""
    meeting = factories.MeetingFactory(body=scheme.board)
    for n in range(papers):
        item = services.agenda_item_add(meeting=meeting, title=f"Item {n}")
        services.paper_upload(
            agenda_item=item, upload=pdf_upload(f"Paper {n} " + "lorem ipsum " * 40, pages_each)
        )
    (pack,) = services.pack_request(meeting=meeting)
    gc.collect()
    tracemalloc.start()
    packs.pack_run(pack_id=pack.pk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    pack.refresh_from_db()
    assert (
        pack.status == AgendaPack.Status.DONE
        and pack.pages == papers * pages_each + pack.pages - papers * pages_each
    )
    assert pack.pages >= papers * pages_each + 2
    return peak


def test_the_pack_jobs_memory_is_flat_for_a_300_page_pack(scheme):
    """The same agenda (10 items, a paper each) with 3-page papers and with 30-page papers: the
    300-page pack needs about the memory of the 30-page one, since each paper is copied straight to
    the file and forgotten (meetings/pdfstream.py); so does one paper of 300 pages. (A hundred items
    cost more: the agenda drawn by reportlab lists each one, a cost of the items, not the pages.)"""
    _pack_peak(scheme, 2, 2)  # imports and caches warmed
    small = _pack_peak(scheme, 10, 3)
    large = _pack_peak(scheme, 10, 30)
    one_long_paper = _pack_peak(scheme, 1, 300)
    many_papers = _pack_peak(scheme, 100, 3)
    print(
        f"pack peak memory: 30 pages {small / 1e6:.2f} MB, 300 pages {large / 1e6:.2f} MB, "
        f"one 300-page paper {one_long_paper / 1e6:.2f} MB, 100 papers of 3 pages {many_papers / 1e6:.2f} MB"
    )
    # What remains per page is pypdf's cross-reference entry and page list for the paper being
    # copied, and one offset per object written: about 2 KB a page, never the pages' content.
    assert large < 2 * small and large < 3e6, (small, large)
    assert one_long_paper < 3e6, one_long_paper


def test_meeting_is_unchanged_by_the_page(scheme, secretariat, client):
    client.force_login(secretariat)
    before = Meeting.objects.get(pk=scheme.meeting.pk).revision
    client.get(reverse("meeting-detail", args=[scheme.meeting.pk]))
    assert Meeting.objects.get(pk=scheme.meeting.pk).revision == before


def test_an_item_is_corrected_at_its_revision_and_moved(scheme, secretariat, client):
    first = services.agenda_item_add(meeting=scheme.meeting, title="First")
    second = services.agenda_item_add(meeting=scheme.meeting, title="Second")
    client.force_login(secretariat)
    url = reverse("meeting-item", args=[second.pk])
    data = {"title": "Second, corrected", "purpose": "information", "expected_revision": second.revision}
    assert client.post(url, data).status_code == 302
    second.refresh_from_db()
    assert (second.title, second.purpose) == ("Second, corrected", "information")
    stale = client.post(url, {**data, "title": "Over someone else's change"})
    assert stale.status_code == 400 and "Someone else changed the item" in stale.content.decode()
    assert client.post(url, {"move": "up"}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.position, second.reference, first.position, first.reference) == (1, "1", 2, "2")
    refused = client.post(url, {"title": "", "purpose": "decision", "expected_revision": second.revision})
    assert refused.status_code == 400


def test_a_terms_of_reference_review_falling_due_is_offered_for_the_agenda(scheme, secretariat, client):
    from bodies.models import TermsOfReference

    TermsOfReference.objects.filter(body=scheme.board).update(
        next_review_due=scheme.meeting.meeting_date + datetime.timedelta(days=20)
    )
    client.force_login(secretariat)
    page = client.get(reverse("meeting-detail", args=[scheme.meeting.pk])).content.decode()
    assert "Add the review of the terms of reference to the agenda" in page
    client.post(
        reverse("meeting-item-add", args=[scheme.meeting.pk]),
        {"title": queries.TERMS_REVIEW_TITLE, "purpose": "decision"},
    )
    assert queries.terms_review_due(scheme.meeting) is None


def test_approved_minutes_are_amended_on_their_page_and_printed(scheme, next_meeting, secretariat, client):
    from pypdf import PdfReader

    item = services.agenda_item_add(meeting=scheme.meeting, title="Budget")
    attend(scheme.meeting, scheme.members)
    attend(next_meeting, scheme.members)
    minutes = services.minutes_draft(meeting=scheme.meeting, texts={item.pk: "The budget was noted."})
    services.minutes_approve(minutes=minutes, at=next_meeting, matter=scheme.matter, minute_reference="M1")
    client.force_login(secretariat)
    entry = minutes.entries.get()
    refused = client.post(
        reverse("meeting-minute-amend", args=[entry.pk]), {"text": "The budget was approved.", "reason": ""}
    )
    assert refused.status_code == 400
    assert (
        client.post(
            reverse("meeting-minutes", args=[scheme.meeting.pk]), {f"minute-{item.pk}": "Rewritten"}
        ).status_code
        == 400
    )
    done = client.post(
        reverse("meeting-minute-amend", args=[entry.pk]),
        {"text": "The budget was approved.", "reason": "Misrecorded"},
    )
    assert done.status_code == 302
    page = client.get(reverse("meeting-minutes", args=[scheme.meeting.pk])).content.decode()
    assert (
        "The budget was approved." in page
        and "Misrecorded" in page
        and "Before: The budget was noted." in page
    )
    pdf = client.get(reverse("meeting-minutes-pdf", args=[scheme.meeting.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert (
        "Approved at the meeting of" in text and "The budget was approved." in text and "Misrecorded" in text
    )


def test_sending_the_notice_from_the_page_queues_the_emails(scheme, secretariat, client):
    from core.models import OutboxMessage

    client.force_login(secretariat)
    response = client.post(reverse("meeting-notice", args=[scheme.meeting.pk]))
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(task="meetings.tasks.send_notice").count() == 1


def test_site_search_finds_a_phrase_inside_a_paper_only_for_those_who_may_read_it(client, settings, tmp_path):
    from meetings import services
    from tests.meetings.conftest import pdf_upload
    from tests.platform.conftest import user_with_role

    settings.MEDIA_ROOT = tmp_path
    meeting = factories.MeetingFactory()
    item = factories.AgendaItemFactory(meeting=meeting, title="Estates")
    services.paper_upload(
        agenda_item=item, upload=pdf_upload("the community hospital reconfiguration"), title="Estates plan"
    )
    reader = user_with_role(meeting.body.partnership, "viewer")
    stranger = user_with_role(factories.PartnershipFactory(), "viewer")

    client.force_login(reader)
    found = client.get(reverse("search"), {"q": "hospital reconfiguration"}).content.decode()
    assert "Papers (1)" in found and "Estates plan" in found and "<mark>" in found
    client.force_login(stranger)
    assert (
        "Estates plan"
        not in client.get(reverse("search"), {"q": "hospital reconfiguration"}).content.decode()
    )

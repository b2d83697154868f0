"""The meeting cycle's services: papers, packs, minutes, actions, interests."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from decisions.models import AgendaItem, Declaration
from meetings import packs, queries, services
from meetings.models import AgendaPack, Minutes, Paper
from tests import factories
from tests.meetings.conftest import attend, docx_upload, pdf_upload

pytestmark = pytest.mark.django_db


def make_packs(meeting):
    for pack in AgendaPack.objects.filter(meeting=meeting, status="queued"):
        packs.pack_run(pack_id=pack.pk)
    return {p.members_only: p for p in AgendaPack.objects.filter(meeting=meeting, superseded=False)}


def test_a_paper_is_checked_by_its_content_not_its_name(scheme):
    item = services.agenda_item_add(meeting=scheme.meeting, title="Finance report", purpose="decision")
    lying = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.paper_upload(agenda_item=item, upload=lying)
    assert "Upload a PDF, Word" in str(refused.value)
    zipped_other = SimpleUploadedFile("x.docx", b"PK\x03\x04garbage", content_type="application/zip")
    with pytest.raises(ValidationError):
        services.paper_upload(agenda_item=item, upload=zipped_other)
    assert not Paper.objects.exists()


def test_a_paper_too_large_is_refused(scheme, settings):
    settings.PAPER_MAX_BYTES = 100
    item = services.agenda_item_add(meeting=scheme.meeting, title="Finance report")
    with pytest.raises(ValidationError, match="larger than"):
        services.paper_upload(agenda_item=item, upload=pdf_upload())


def test_replacing_a_paper_keeps_the_earlier_version_and_search_finds_the_newest(scheme):
    item = services.agenda_item_add(meeting=scheme.meeting, title="Finance report")
    first = services.paper_upload(
        agenda_item=item, upload=pdf_upload("The deficit is forecast"), title="Finance"
    )
    second = services.paper_upload(
        agenda_item=item, upload=docx_upload("Community diagnostic centre business case"), paper=first.paper
    )
    paper = Paper.objects.get()
    assert paper.current_version == 2
    assert [v.number for v in paper.versions.all()] == [1, 2]
    assert first.file.name != second.file.name and first.file.storage.exists(first.file.name)
    assert second.kind == "docx"
    admin = factories.UserFactory(is_superuser=True)
    assert [p.pk for p in queries.paper_search(admin, '"community diagnostic centre"')] == [paper.pk]
    assert queries.paper_search(admin, "deficit") == []


def test_the_pack_has_cover_agenda_papers_in_order_and_bookmarks_and_the_public_pack_lacks_restricted(scheme):
    meeting = scheme.meeting
    one = services.agenda_item_add(meeting=meeting, title="Minutes and matters arising")
    two = services.agenda_item_add(
        meeting=meeting, title="Estates strategy", restricted=True, restriction_reason="Commercial"
    )
    three = services.agenda_item_add(meeting=meeting, title="Quality report")
    services.paper_upload(agenda_item=one, upload=pdf_upload("Paper one", 2), title="Paper one")
    services.paper_upload(agenda_item=two, upload=pdf_upload("Paper two secret", 3), title="Paper two")
    services.paper_upload(agenda_item=three, upload=pdf_upload("Paper three", 1), title="Paper three")
    services.paper_upload(agenda_item=three, upload=docx_upload("Appendix"), title="Appendix (Word)")
    earlier = factories.MeetingFactory(
        body=scheme.board, starts_at=meeting.starts_at - datetime.timedelta(days=30)
    )
    earlier_item = services.agenda_item_add(meeting=earlier, title="Earlier business")
    services.action_add(
        agenda_item=earlier_item,
        description="Write to the partners",
        owner=scheme.members[1],
        due_on=meeting.meeting_date,
    )
    services.pack_request(meeting=meeting)
    made = make_packs(meeting)

    members = PdfReader(made[True].file.open("rb"))
    texts = [page.extract_text() for page in members.pages]
    assert "Public pack" not in texts[0] and "Members" in texts[0]
    assert "Agenda" in texts[1] and "Appendix (Word), not in the pack" in texts[1]
    assert "Matters arising" in texts[1] and "Write to the partners (Member 1" in texts[1]
    assert [t.split(" (page")[0].strip() for t in texts[2:]] == ["Paper one"] * 2 + [
        "Paper two secret"
    ] * 3 + ["Paper three"]
    outline = [
        item.title if not isinstance(item, list) else [i.title for i in item] for item in members.outline
    ]
    assert outline == [
        "Cover",
        "Agenda",
        f"1. {one.title}",
        ["Paper one"],
        f"2. {two.title}",
        ["Paper two"],
        f"3. {three.title}",
        ["Paper three"],
    ]
    # the agenda gives each item's first page
    assert members.get_destination_page_number(members.outline[4]) == 4  # 0-based: page 5 of the pack
    assert "5" in texts[1].split("Estates strategy")[1][:200]

    public = PdfReader(made[False].file.open("rb"))
    public_text = "".join(page.extract_text() for page in public.pages)
    assert "Paper two secret" not in public_text and "Estates strategy" not in public_text
    assert len(public.pages) == 2 + 2 + 1


def test_the_pack_is_made_again_when_a_paper_changes(scheme):
    item = services.agenda_item_add(meeting=scheme.meeting, title="Report")
    version = services.paper_upload(agenda_item=item, upload=pdf_upload("First"))
    services.pack_request(meeting=scheme.meeting)
    first = make_packs(scheme.meeting)[False]
    services.paper_upload(agenda_item=item, upload=pdf_upload("Second", 2), paper=version.paper)
    first.refresh_from_db()
    assert first.superseded
    again = make_packs(scheme.meeting)[False]
    assert again.pk != first.pk and again.pages == 2 + 2


def test_minutes_are_approved_at_a_later_meeting_and_locked(scheme, next_meeting):
    meeting = scheme.meeting
    item = services.agenda_item_add(meeting=meeting, title="Business case")
    attend(meeting, scheme.members)
    attend(next_meeting, scheme.members)
    action = services.action_add(
        agenda_item=item,
        description="Report back",
        owner=scheme.members[2],
        due_on=meeting.meeting_date + datetime.timedelta(days=20),
    )
    minutes = services.minutes_draft(meeting=meeting, texts={item.pk: "The board discussed the case."})
    with pytest.raises(ValidationError, match="same body"):
        services.minutes_approve(
            minutes=minutes,
            at=held_meeting_of(factories.BodyFactory(partnership=scheme.partnership), next_meeting),
            matter=scheme.matter,
        )
    with pytest.raises(ValidationError, match="later meeting"):
        services.minutes_approve(minutes=minutes, at=meeting, matter=scheme.matter)
    decision = services.minutes_approve(
        minutes=minutes, at=next_meeting, matter=scheme.matter, minute_reference="2/1"
    )
    minutes.refresh_from_db()
    meeting.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED and minutes.approval == decision
    assert decision.meeting == next_meeting and decision.minute_reference == "2/1"
    assert meeting.minutes_approved_at == next_meeting
    with pytest.raises(ValidationError, match="locked"):
        services.minutes_draft(meeting=meeting, texts={item.pk: "Rewritten"})
    entry = minutes.entries.get()
    amendment = services.minute_amend(
        entry=entry,
        text="The board discussed and noted the case.",
        reason="Wording agreed at the next meeting",
    )
    entry.refresh_from_db()
    assert amendment.previous_text == "The board discussed the case." and entry.text.endswith(
        "noted the case."
    )
    assert [
        a.pk for a in queries.matters_arising(next_meeting, factories.UserFactory(is_superuser=True))
    ] == [action.pk]


def held_meeting_of(body, like):
    return factories.MeetingFactory(body=body, starts_at=like.starts_at)


def test_a_flag_becomes_a_declaration_in_one_step(scheme):
    meeting = scheme.meeting
    supplier = scheme.parties[0]
    item = services.agenda_item_add(meeting=meeting, title="Contract award", organisations=[supplier])
    interest = factories.InterestFactory(
        partnership=scheme.partnership, person=scheme.members[2], organisation=supplier
    )
    factories.InterestFactory(
        partnership=scheme.partnership, person=scheme.members[3]
    )  # no organisation on the item
    attend(meeting, scheme.members)
    flags = queries.interest_flags(meeting, [AgendaItem.objects.get(pk=item.pk)])
    assert [(f.person, f.declared) for f in flags[item.pk]] == [(scheme.members[2], False)]
    declaration = services.declaration_from_flag(
        agenda_item=item, interest=interest, management="left_the_meeting"
    )
    assert declaration.interest == interest and declaration.agenda_item == item
    assert declaration.nature == interest.description
    assert queries.interest_flags(meeting, [item])[item.pk][0].declared
    assert Declaration.objects.count() == 1


def test_gift_thresholds_follow_the_guidance(scheme):
    from meetings.models import gift_rule

    assert not gift_rule(kind="gift_supplier", value_gbp=5, accepted=True).must_declare
    assert gift_rule(kind="gift_supplier", value_gbp=6, accepted=False).must_declare
    assert gift_rule(kind="gift_supplier", value_gbp=6, accepted=True).needs_reason
    assert not gift_rule(kind="gift_other", value_gbp=49, accepted=True).must_declare
    assert gift_rule(kind="gift_other", value_gbp=50, accepted=False).must_declare
    assert not gift_rule(kind="hospitality_meal", value_gbp=24, accepted=True).must_declare
    meal = gift_rule(kind="hospitality_meal", value_gbp=60, accepted=True)
    assert meal.must_declare and not meal.needs_reason
    assert gift_rule(kind="hospitality_meal", value_gbp=80, accepted=True).needs_reason
    with pytest.raises(ValidationError, match="reason"):
        services.gift_declare(
            partnership=scheme.partnership,
            person=scheme.members[1],
            kind="hospitality_meal",
            description="Dinner",
            offered_by="A supplier",
            value_gbp=120,
            offered_on=datetime.date(2018, 2, 1),
            accepted=True,
        )


def test_excel_and_powerpoint_papers_are_read_for_search(scheme):
    import zipfile

    from openpyxl import Workbook

    item = services.agenda_item_add(meeting=scheme.meeting, title="Finance")
    workbook, out = Workbook(), io.BytesIO()
    workbook.active["A1"] = "Elective recovery trajectory"
    workbook.save(out)
    sheet = services.paper_upload(agenda_item=item, upload=SimpleUploadedFile("f.xlsx", out.getvalue()))
    slides = io.BytesIO()
    with zipfile.ZipFile(slides, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
        )
        archive.writestr(
            "ppt/slides/slide1.xml",
            '<p:sld xmlns:p="p" xmlns:a="a"><a:t>Virtual wards expansion</a:t></p:sld>',
        )
    deck = services.paper_upload(agenda_item=item, upload=SimpleUploadedFile("d.pptx", slides.getvalue()))
    assert (sheet.kind, deck.kind) == ("xlsx", "pptx")
    admin = factories.UserFactory(is_superuser=True)
    assert [p.pk for p in queries.paper_search(admin, "elective recovery")] == [sheet.paper_id]
    assert [p.pk for p in queries.paper_search(admin, '"virtual wards"')] == [deck.paper_id]


def test_key_decisions_are_published_28_days_ahead(scheme):
    from django.utils import timezone

    today = timezone.localdate()
    soon = factories.MeetingFactory(
        body=scheme.board, status="scheduled",
        starts_at=timezone.now() + datetime.timedelta(days=20),
    )  # fmt: skip
    later = factories.MeetingFactory(
        body=scheme.board, status="scheduled", starts_at=timezone.now() + datetime.timedelta(days=40)
    )
    key = services.forward_plan_add(
        body=scheme.board,
        title="Award the community contract",
        month=soon.meeting_date.month,
        key_decision=True,
    )
    services.forward_plan_add(body=scheme.board, title="Routine report", month=soon.meeting_date.month)
    services.forward_plan_add(
        body=scheme.board,
        title="Later key decision",
        month=later.meeting_date.month,
        key_decision=True,
        year=later.meeting_date.year,
    )
    published = queries.key_decisions_published(scheme.board.pk, today)
    assert (soon, key) in published
    assert (
        all(meeting != later for meeting, _ in published)
        or later.meeting_date.month == soon.meeting_date.month
    )


def test_every_reminder_links_to_a_page_not_the_api():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for module in root.glob("*/reminders.py"):
        assert 'reverse("api:' not in module.read_text(), module

"""The meeting cycle in a real browser: a secretariat builds an agenda from the forward plan and a
matter arising, uploads papers (one restricted), makes the pack, records attendance and a
declaration flagged from the register, drafts minutes linked to the item's decision and an action,
and approves them at the next meeting, where the action appears as a matter arising. Then a member
declares a gift, makes the annual return and subscribes to their calendar."""

import datetime
import io
import re
import urllib.request
from urllib.error import HTTPError

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from core.access import grant_role
from decisions.models import Decision, Declaration
from meetings import packs
from meetings.models import Action, AgendaPack, DeclarationReturn, Gift, Minutes
from tests import factories
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.meetings.conftest import pdf_bytes

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password 42"


def account(partnership, role, person=None):
    user = factories.UserFactory(is_staff=True)
    user.set_password(PASSWORD)
    user.email = f"{user.username}@example.org"
    user.save()
    grant_role(user=user, partnership=partnership, role=role)
    if person is not None:
        person.user, person.email = user, user.email
        person.save()
    return user


@pytest.fixture
def cycle(transactional_db, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    partnership = factories.PartnershipFactory(name="Fenland Health Partnership", short_name="Fenland")
    board = factories.BodyFactory(
        partnership=partnership, name="Fenland Partnership Board", decisions_bind_partners=False
    )
    matter = factories.MatterFactory(
        partnership=partnership, name="To approve business cases", slug="business-cases"
    )
    factories.DelegationFactory(
        partnership=partnership, matter=matter, delegate=board, financial_limit_gbp=1_000_000
    )
    factories.TermsOfReferenceFactory(
        body=board, approved=True, quorum_count=3, quorum_rule="Three voting members"
    )
    supplier = factories.MembershipFactory(
        partnership=partnership, organisation__name="Fenland Community Services Ltd"
    ).organisation
    members = [
        factories.PersonFactory(name=name)
        for name in ("Ada Chair", "Ben Member", "Cara Member", "Dev Member")
    ]
    factories.AppointmentFactory(body=board, person=members[0], role="chair")
    for person in members[1:]:
        factories.AppointmentFactory(body=board, person=person, role="member")
    factories.InterestFactory(
        partnership=partnership, person=members[2], organisation=supplier,
        description="Director of Fenland Community Services Ltd", effective_from=datetime.date(2017, 4, 1),
    )  # fmt: skip
    today = timezone.localdate()
    march = datetime.datetime(today.year - 1, 3, 10, 14, 0, tzinfo=datetime.UTC)
    earlier = factories.MeetingFactory(body=board, starts_at=march - datetime.timedelta(days=30))
    meeting = factories.MeetingFactory(body=board, starts_at=march, place="Fenland House")
    following = factories.MeetingFactory(body=board, starts_at=march + datetime.timedelta(days=35))
    from meetings import services

    earlier_item = services.agenda_item_add(meeting=earlier, title="Winter plan")
    open_action = services.action_add(
        agenda_item=earlier_item,
        description="Circulate the winter plan to partners",
        owner=members[3],
        due_on=march.date(),
    )
    services.forward_plan_add(body=board, title="Annual report", month=3, purpose="decision")
    return {
        "partnership": partnership, "board": board, "matter": matter, "supplier": supplier, "members": members,
        "meeting": meeting, "following": following, "open_action": open_action,
        "secretariat": account(partnership, "secretariat"), "member": account(partnership, "member", members[1]),
        "url": live_server.url,
    }  # fmt: skip


def paper_file(tmp_path, name, text, pages):
    path = tmp_path / name
    path.write_bytes(pdf_bytes(text, pages))
    return str(path)


def run_pack_jobs():
    """What a Celery worker does with the queued packs (meetings.tasks.make_pack)."""
    for pack in AgendaPack.objects.filter(status="queued").order_by("pk"):
        packs.pack_run(pack_id=pack.pk)


def fetch_pdf(page, url) -> PdfReader:
    response = page.request.get(url)
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.body()))


def test_the_secretariat_runs_a_meeting_cycle(cycle, page, tmp_path):
    base, meeting = cycle["url"], cycle["meeting"]
    sign_in(page, base, cycle["secretariat"].username, PASSWORD)
    page.goto(f"{base}/meetings/{meeting.pk}/")

    # The agenda: one item from the forward plan, one matter arising, one restricted item added by hand.
    page.get_by_role("button", name=re.compile("Add to the agenda.*Annual report")).click()
    expect(page.get_by_text("“Annual report” was added to the agenda from the forward plan.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Add to the agenda.*Circulate the winter plan")).click()
    page.get_by_text("Add an item").click()
    page.get_by_label("Title", exact=True).fill("Community services contract award")
    page.get_by_label("Purpose").select_option(label="For decision")
    page.get_by_label("Organisations the item concerns").select_option(label="Fenland Community Services Ltd")
    page.get_by_label("Not for publication", exact=True).check()
    page.get_by_label("Why it is not for publication").fill("Commercial interests of the bidders")
    page.get_by_role("button", name="Add the item").click()
    expect(page.locator("#agenda ~ ol h3")).to_have_count(3)
    headings = page.locator("#agenda ~ ol h3").all_inner_texts()
    assert [h.split(" Not for")[0] for h in headings] == [
        "1. Annual report",
        "2. Matter arising: Circulate the winter plan to partners",
        "3. Community services contract award",
    ]

    # Three papers, one on the restricted item.
    for number, (text, pages) in enumerate(
        (("Annual report paper", 2), ("Winter plan update", 1), ("Contract award secret", 3)), 1
    ):
        page.get_by_text(f"Upload a paper to item {number}").click()
        page.get_by_label(f"File for item {number}").set_input_files(
            paper_file(tmp_path, f"p{number}.pdf", text, pages)
        )
        page.get_by_role("button", name="Upload the paper").locator("visible=true").click()
        expect(page.get_by_text("The paper was uploaded.")).to_be_visible()

    # The pack, made by the job (a worker's work done here), opened with pypdf.
    page.get_by_role("button", name="Make the agenda pack").click()
    expect(page.get_by_text("The agenda pack is being made.")).to_be_visible()
    run_pack_jobs()
    page.reload()
    members_link = page.get_by_role("link", name="Download the members’ pack (PDF)")
    public_link = page.get_by_role("link", name="Download the public pack (PDF)")
    members_pack = fetch_pdf(page, base + members_link.get_attribute("href"))
    public_pack = fetch_pdf(page, base + public_link.get_attribute("href"))
    texts = [p.extract_text() for p in members_pack.pages]
    assert "Members’ pack" in texts[0] and "Fenland Partnership Board" in texts[0]
    assert texts[1].startswith("Agenda")
    assert [t.split(" (page")[0] for t in texts[2:]] == ["Annual report paper"] * 2 + [
        "Winter plan update"
    ] + ["Contract award secret"] * 3
    top = [o.title for o in members_pack.outline if not isinstance(o, list)]
    assert top == [
        "Cover",
        "Agenda",
        "1. Annual report",
        "2. Matter arising: Circulate the winter plan to partners",
        "3. Community services contract award",
    ]
    assert [
        members_pack.get_destination_page_number(o) for o in members_pack.outline if not isinstance(o, list)
    ][2:] == [2, 4, 5]
    public_text = "".join(p.extract_text() for p in public_pack.pages)
    assert (
        "Contract award secret" not in public_text and "Community services contract award" not in public_text
    )
    assert len(public_pack.pages) == 2 + 3
    page.screenshot(path=str(SCREENSHOTS / "meeting-cycle-agenda.png"), full_page=True)

    # Attendance from the appointments in force; one member sends apologies.
    page.get_by_role("button", name="Fill in from the appointments in force").click()
    page.get_by_label("Attendance of Dev Member").select_option(label="Apologies")
    page.get_by_role("button", name="Save the attendance").click()
    expect(page.get_by_text("The attendance was saved.")).to_be_visible()

    # The register flags Cara against the contract item; one click records her declaration.
    flag = page.locator(f"#item-{meeting.agenda_items.get(position=3).pk} .registry-flag")
    assert "Cara Member has a declared interest in Fenland Community Services Ltd" in flag.inner_text()
    flag.get_by_label("How the chair managed it").select_option(label="Left the meeting for the item")
    flag.get_by_role("button", name="Record Cara Member's declaration").click()
    expect(page.get_by_text("Cara Member's declaration was recorded at item 3.")).to_be_visible()
    declaration = Declaration.objects.get()
    assert declaration.person.name == "Cara Member" and declaration.interest is not None
    assert "Declared at this item." in page.locator(f"#item-{declaration.agenda_item_id}").inner_text()

    # Minutes: the item's decision and an action, linked; then the draft.
    page.get_by_role("link", name="Draft the minutes").click()
    page.get_by_text("A decision at item 1").click()
    page.get_by_label("Resolution").locator("visible=true").fill(
        "The annual report was approved for publication."
    )
    page.get_by_role("button", name="Record the decision at item 1").click()
    expect(page.get_by_text("The decision at item 1 was recorded.")).to_be_visible()
    page.get_by_text("An action arising from item 1").click()
    page.locator("textarea[name=description]").locator("visible=true").fill(
        "Publish the annual report on the website"
    )
    page.locator("select[name=owner]").locator("visible=true").select_option(label="Ben Member")
    page.locator("input[name=due_on]").locator("visible=true").fill(
        (meeting.meeting_date + datetime.timedelta(days=14)).isoformat()
    )
    page.get_by_role("button", name="Record the action").locator("visible=true").click()
    expect(page.get_by_text("The action was recorded.")).to_be_visible()
    page.get_by_label("Minute of item 1").fill("The board considered the annual report.")
    page.get_by_role("button", name="Save the draft minutes").click()
    expect(page.get_by_text("The draft minutes were saved.")).to_be_visible()
    item_one = page.locator(f"#item-{meeting.agenda_items.get(position=1).pk}").inner_text()
    assert "The annual report was approved for publication." in item_one
    assert "Publish the annual report on the website" in item_one

    # The next meeting approves them, and shows the action as a matter arising.
    following = cycle["following"]
    page.goto(f"{base}/meetings/{following.pk}/")
    page.get_by_role("button", name="Fill in from the appointments in force").click()
    page.get_by_label("Minute reference (optional)").fill("M2/1")
    page.get_by_role(
        "button", name=f"Approve the minutes of {meeting.meeting_date.day} {meeting.meeting_date:%B %Y}"
    ).click()
    expect(page.get_by_text("were approved and are now locked")).to_be_visible()
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == "approved" and minutes.approval.meeting == following
    assert minutes.approval.minute_reference == "M2/1"
    arising = page.locator("#matters-arising ~ table").first.inner_text()
    assert "Publish the annual report on the website" in arising
    page.screenshot(path=str(SCREENSHOTS / "meeting-cycle-next-meeting.png"), full_page=True)
    page.goto(f"{base}/meetings/{meeting.pk}/minutes/")
    expect(page.get_by_text("Approved minutes are locked")).to_be_visible()
    assert page.get_by_label("Minute of item 1").count() == 0
    assert Decision.objects.filter(agenda_item__meeting=meeting).count() == 1
    assert Action.objects.filter(agenda_item__meeting=meeting).get().owner.name == "Ben Member"

    # On a phone: no sideways scrolling on the meeting, minutes and agenda pages.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/minutes/",
        f"/bodies/{cycle['board'].pk}/agendas/",
    ):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto(f"{base}/meetings/{following.pk}/")
    page.screenshot(path=str(SCREENSHOTS / "meeting-cycle-phone.png"), full_page=True)


def test_a_member_declares_a_gift_makes_the_return_and_subscribes(cycle, page, tmp_path):
    base, member = cycle["url"], cycle["member"]
    from meetings import services

    services.round_open(
        partnership=cycle["partnership"], year=timezone.localdate().year,
        opens_on=timezone.localdate() - datetime.timedelta(days=1), closes_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    upcoming = factories.MeetingFactory(
        body=cycle["board"], starts_at=timezone.now() + datetime.timedelta(days=10), status="scheduled",
        place="Fenland House", joining_details="https://video.example.org/fenland-board",
    )  # fmt: skip
    sign_in(page, base, member.username, PASSWORD)
    page.goto(f"{base}/my/interests/")
    page.get_by_text("Declare a gift or hospitality").click()
    page.get_by_label("Partnership").locator("visible=true").select_option(label="Fenland Health Partnership")
    page.get_by_label("What was offered").select_option(label="Hospitality: meals and refreshments")
    page.get_by_label("Description").locator("visible=true").fill("Dinner at the annual conference")
    page.get_by_label("From whom").fill("Fenland Community Services Ltd")
    page.get_by_label("Value (£)").fill("40")
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Declare the gift or hospitality").click()
    expect(page.get_by_text("The gift or hospitality was entered in the register.")).to_be_visible()
    gift = Gift.objects.get()
    assert gift.person.name == "Ben Member" and gift.accepted and gift.value_gbp == 40
    assert "must be declared" in page.locator("#gifts ~ table").inner_text()

    page.get_by_label("I have no interests to declare (a nil return)").check()
    page.get_by_role("button", name=f"Make my return for {timezone.localdate().year}").click()
    expect(page.get_by_text("Your return for")).to_be_visible()
    assert DeclarationReturn.objects.get().nil_return
    page.screenshot(path=str(SCREENSHOTS / "meeting-cycle-my-interests.png"), full_page=True)

    page.goto(f"{base}/my/calendar/")
    page.get_by_role("button", name="Make a calendar address").click()
    address = page.locator("#calendar-address").inner_text()
    # A calendar application: a plain HTTP GET, no cookie, no Authorization header.
    with urllib.request.urlopen(urllib.request.Request(address)) as response:
        body = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in body and "Fenland Partnership Board" in body and "Fenland House" in body
    unfolded = body.replace("\r\n ", "")
    assert f"/meetings/{upcoming.pk}/" in unfolded and "https://video.example.org/fenland-board" in unfolded
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The calendar address was revoked")).to_be_visible()
    with pytest.raises(HTTPError) as revoked:
        urllib.request.urlopen(urllib.request.Request(address))
    assert revoked.value.code == 404

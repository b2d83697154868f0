"""The meeting cycle's writes: keyword-only, atomic, each refusing bad input with field messages."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Value
from django.utils import timezone

from bodies.models import Appointment, Body, Organisation, Partnership, Person
from core import outbox
from decisions import services as decision_services
from decisions.models import AgendaItem, Attendance, Decision, Declaration, Interest, Meeting
from delegation.models import Matter
from meetings import files
from meetings.models import (
    Action,
    ActionUpdate,
    AgendaPack,
    CalendarSubscription,
    DeclarationReturn,
    DeclarationRound,
    ForwardPlanEntry,
    ForwardPlanUse,
    Gift,
    MatterArising,
    MinuteAmendment,
    MinuteEntry,
    Minutes,
    Paper,
    PaperVersion,
)


def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


# -- the agenda --------------------------------------------------------------------------------
def _refuse_if_cancelled(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": "The meeting was cancelled; its agenda cannot change."})


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    purpose: str = "",
    presenter: Person | None = None,
    planned_time: datetime.time | None = None,
    description: str = "",
    restricted: bool = False,
    restriction_reason: str = "",
    organisations: list[Organisation] | tuple = (),
) -> AgendaItem:
    """Add an item at the end of the agenda, numbered by its position."""
    meeting = Meeting.objects.select_for_update().order_by().get(pk=meeting.pk)
    _refuse_if_cancelled(meeting)
    position = (meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        position=position,
        reference=str(position),
        title=title.strip(),
        purpose=purpose,
        presenter=presenter,
        planned_time=planned_time,
        description=description,
        restricted=restricted,
        restriction_reason=restriction_reason.strip() if restricted else "",
    )
    item.full_clean()
    item.save()
    if organisations:
        item.organisations.set(organisations)
    return item


@transaction.atomic
def agenda_item_from_plan(*, meeting: Meeting, entry: ForwardPlanEntry) -> AgendaItem:
    """Turn a forward plan entry into an item of the meeting's agenda (once per meeting)."""
    if entry.body_id != meeting.body_id:
        raise ValidationError({"entry": "The entry is on another body's forward plan."})
    if ForwardPlanUse.objects.filter(entry=entry, agenda_item__meeting=meeting).exists():
        raise ValidationError({"entry": "The entry is already on this meeting's agenda."})
    item = agenda_item_add(
        meeting=meeting, title=entry.title, purpose=entry.purpose, presenter=entry.presenter
    )
    ForwardPlanUse.objects.create(entry=entry, agenda_item=item)
    return item


@transaction.atomic
def agenda_item_from_action(*, meeting: Meeting, action: Action) -> AgendaItem:
    """Bring an open action of the body to the meeting's agenda as a matter arising."""
    if action.body_id != meeting.body_id:
        raise ValidationError({"action": "The action is another body's."})
    if action.status != Action.Status.OPEN:
        raise ValidationError({"action": "The action is closed."})
    item = agenda_item_add(
        meeting=meeting,
        title=f"Matter arising: {action.description[:250]}",
        purpose=AgendaItem.Purpose.ASSURANCE,
        presenter=action.owner,
        restricted=action.agenda_item.restricted,
        restriction_reason=action.agenda_item.restriction_reason,
    )
    MatterArising.objects.create(action=action, agenda_item=item)
    return item


# -- papers ------------------------------------------------------------------------------------
def _index_paper(paper: Paper) -> None:
    """The paper's search document: its title (weight A), its meeting (B) and its newest text (C)."""
    version = paper.versions.order_by("-number").first()
    meeting = paper.agenda_item.meeting
    Paper.objects.filter(pk=paper.pk).update(
        search=SearchVector(Value(paper.title), weight="A", config="english")
        + SearchVector(
            Value(f"{meeting.body.name} {_day(meeting.meeting_date)} {paper.agenda_item.title}"),
            weight="B",
            config="english",
        )
        + SearchVector(Value(version.text if version else ""), weight="C", config="english")
    )


def _packs_out_of_date(meeting: Meeting) -> None:
    """A paper changed: the packs made so far are superseded and made again."""
    made = AgendaPack.objects.filter(meeting=meeting, superseded=False)
    if made.exists():
        made.update(superseded=True)
        pack_request(meeting=meeting)


@transaction.atomic
def paper_upload(
    *, agenda_item: AgendaItem, upload, title: str = "", paper: Paper | None = None, user=None
) -> PaperVersion:
    """A new paper for the item, or (with `paper`) a new version of it; the earlier versions are kept."""
    inspected = files.inspect(upload)
    if paper is None:
        title = (title or "").strip() or upload.name.rsplit(".", 1)[0][:300]
        position = (agenda_item.papers.aggregate(last=Max("position"))["last"] or 0) + 1
        paper = Paper.objects.create(agenda_item=agenda_item, title=title, position=position)
    else:
        paper = Paper.objects.select_for_update().order_by().get(pk=paper.pk)
        if title.strip():
            paper.title = title.strip()
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    number = paper.current_version + 1
    version = PaperVersion(
        paper=paper,
        number=number,
        kind=inspected.kind,
        original_name=upload.name[:255],
        size=upload.size,
        sha256=digest.hexdigest(),
        pages=inspected.pages,
        text=inspected.text.replace("\x00", ""),
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    safe_name = f"{paper.pk}-v{number}.{inspected.kind}"
    version.file.save(safe_name, File(upload), save=False)
    version.save()
    paper.current_version = number
    paper.save()
    _index_paper(paper)
    _packs_out_of_date(agenda_item.meeting)
    return version


# -- the pack ----------------------------------------------------------------------------------
@transaction.atomic
def pack_request(*, meeting: Meeting) -> list[AgendaPack]:
    """Queue the public pack and the members' pack (the members' only when an item is restricted)."""
    kinds = [False]
    if meeting.agenda_items.filter(restricted=True).exists():
        kinds.append(True)
    AgendaPack.objects.filter(meeting=meeting, superseded=False).update(superseded=True)
    packs = [AgendaPack.objects.create(meeting=meeting, members_only=members) for members in kinds]
    for pack in packs:
        outbox.enqueue(AgendaPack.job_task, pack_id=pack.pk)
    return packs


# -- attendance and declarations ---------------------------------------------------------------
@transaction.atomic
def attendance_prefill(*, meeting: Meeting) -> int:
    """A seat for every appointment in force on the meeting date not yet recorded (present, to correct)."""
    recorded = set(meeting.attendances.values_list("person_id", flat=True))
    people = (
        Appointment.objects.in_force(meeting.meeting_date)
        .filter(body=meeting.body)
        .exclude(person__in=recorded)
        .select_related("person")
        .order_by("person__name")
    )
    added = 0
    for person in {a.person_id: a.person for a in people}.values():
        decision_services.attendance_record(meeting=meeting, person=person, status=Attendance.Status.PRESENT)
        added += 1
    return added


@transaction.atomic
def declaration_from_flag(
    *, agenda_item: AgendaItem, interest: Interest, management: str = Declaration.Management.NO_ACTION
) -> Declaration:
    """The declaration at the meeting, from a flag: the registered interest, as registered."""
    if management not in Declaration.Management.values:
        raise ValidationError({"management": f"Choose one of: {', '.join(Declaration.Management.values)}."})
    return decision_services.declaration_record(
        meeting=agenda_item.meeting,
        agenda_item=agenda_item,
        person=interest.person,
        interest=interest,
        management=management,
        minute_reference=agenda_item.reference,
    )


# -- minutes -----------------------------------------------------------------------------------
@transaction.atomic
def minutes_draft(*, meeting: Meeting, texts: dict[int, str]) -> Minutes:
    """Save the draft minute of each item (`texts`: item id -> text). Approved minutes are locked."""
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError({"meeting": "Minutes are drafted for a meeting that was held."})
    minutes, _ = Minutes.objects.select_for_update().order_by().get_or_create(meeting=meeting)
    if minutes.locked:
        raise ValidationError(
            {"minutes": "The minutes are approved and locked; record an amendment instead."}
        )
    items = {item.pk: item for item in meeting.agenda_items.all()}
    for item_id, text in texts.items():
        if item_id not in items:
            raise ValidationError({"minutes": "An item is not on this meeting's agenda."})
        entry = MinuteEntry.objects.filter(agenda_item_id=item_id).first()
        if entry is None:
            MinuteEntry.objects.create(minutes=minutes, agenda_item=items[item_id], text=text.strip())
        elif entry.text != text.strip():
            entry.text = text.strip()
            entry.save(update_fields=["text"])
    return minutes


@transaction.atomic
def minutes_approve(
    *,
    minutes: Minutes,
    at: Meeting,
    matter: Matter,
    agenda_item: AgendaItem | None = None,
    minute_reference: str = "",
) -> Decision:
    """Approve the minutes at a later meeting of the same body: a decision of that meeting, with its
    minute reference; the minutes are locked from then on."""
    minutes = (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__body")
        .order_by()
        .get(pk=minutes.pk)
    )
    meeting = minutes.meeting
    if minutes.locked:
        raise ValidationError({"minutes": "The minutes are already approved."})
    if at.body_id != meeting.body_id:
        raise ValidationError({"at": "Minutes are approved at a meeting of the same body."})
    if at.starts_at <= meeting.starts_at:
        raise ValidationError({"at": "Minutes are approved at a later meeting of the body."})
    if not minutes.entries.exists():
        raise ValidationError({"minutes": "The minutes have no entries yet."})
    decision = decision_services.decision_record(
        body=at.body,
        meeting=at,
        agenda_item=agenda_item,
        matter=matter,
        power="approve",
        outcome=Decision.Outcome.CARRIED,
        resolution=f"The minutes of the meeting of {_day(meeting.meeting_date)} were approved as a correct record.",
        minute_reference=minute_reference or (agenda_item.reference if agenda_item else ""),
    )
    minutes.status, minutes.approval, minutes.approved_on = Minutes.Status.APPROVED, decision, at.meeting_date
    minutes.full_clean()
    minutes.save()
    meeting.minutes_approved_at = at
    meeting.full_clean()
    meeting.save(update_fields=["minutes_approved_at"])
    return decision


@transaction.atomic
def minute_amend(*, entry: MinuteEntry, text: str, reason: str, user=None) -> MinuteAmendment:
    """Correct an approved minute: the amendment keeps what it said, and why it changed."""
    entry = (
        MinuteEntry.objects.select_for_update(of=("self",))
        .select_related("minutes")
        .order_by()
        .get(pk=entry.pk)
    )
    if not entry.minutes.locked:
        raise ValidationError({"text": "The minutes are a draft: change the draft."})
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the amendment."})
    if text.strip() == entry.text:
        raise ValidationError({"text": "The amended minute is the same as the approved one."})
    amendment = MinuteAmendment.objects.create(
        entry=entry,
        previous_text=entry.text,
        text=text.strip(),
        reason=reason.strip(),
        made_by=user if getattr(user, "pk", None) else None,
    )
    entry.text = text.strip()
    entry.save(update_fields=["text"])
    return amendment


# -- actions -----------------------------------------------------------------------------------
@transaction.atomic
def action_add(*, agenda_item: AgendaItem, description: str, owner: Person, due_on: datetime.date) -> Action:
    if not description.strip():
        raise ValidationError({"description": "Say what is to be done."})
    meeting = agenda_item.meeting
    if due_on < meeting.meeting_date:
        raise ValidationError({"due_on": "An action cannot be due before the meeting it arose at."})
    action = Action(
        body=meeting.body,
        agenda_item=agenda_item,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_update(
    *, action: Action, text: str, status: str = "", on: datetime.date | None = None, user=None
) -> ActionUpdate:
    """A dated update; a status closes (or reopens) the action."""
    action = Action.objects.select_for_update().order_by().get(pk=action.pk)
    on = on or timezone.localdate()
    if not text.strip():
        raise ValidationError({"text": "Say what has happened."})
    if status and status not in Action.Status.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(Action.Status.values)}."})
    update = ActionUpdate.objects.create(
        action=action,
        on=on,
        text=text.strip(),
        status=status,
        made_by=user if getattr(user, "pk", None) else None,
    )
    if status and status != action.status:
        action.status = status
        action.closed_on = None if status == Action.Status.OPEN else on
        action.save(update_fields=["status", "closed_on"])
    return update


# -- forward plan ------------------------------------------------------------------------------
@transaction.atomic
def forward_plan_add(
    *, body: Body, title: str, month: int, purpose: str = "decision", year: int | None = None,
    key_decision: bool = False, presenter: Person | None = None,
) -> ForwardPlanEntry:  # fmt: skip
    entry = ForwardPlanEntry(
        body=body,
        title=title.strip(),
        month=month,
        purpose=purpose,
        year=year,
        key_decision=key_decision,
        presenter=presenter,
    )
    entry.full_clean()
    entry.save()
    return entry


# -- interests, gifts, returns -----------------------------------------------------------------
@transaction.atomic
def interest_declare(
    *, partnership: Partnership, person: Person, kind: str, description: str,
    organisation: Organisation | None = None, organisation_name: str = "",
    effective_from: datetime.date | None = None,
) -> Interest:  # fmt: skip
    """A member declares an interest in the partnership's register (declared today)."""
    interest = Interest(
        partnership=partnership,
        person=person,
        kind=kind,
        description=description.strip(),
        organisation=organisation,
        organisation_name=organisation_name.strip(),
        declared_on=timezone.localdate(),
        effective_from=effective_from or timezone.localdate(),
    )
    interest.full_clean()
    interest.save()
    return interest


@transaction.atomic
def interest_end(*, interest: Interest, on: datetime.date | None = None) -> Interest:
    on = on or timezone.localdate()
    if interest.effective_to is not None:
        raise ValidationError({"effective_to": "The interest has already ended."})
    interest.effective_to = on
    interest.full_clean()
    interest.save(update_fields=["effective_to"])
    return interest


@transaction.atomic
def gift_declare(
    *, partnership: Partnership, person: Person, kind: str, description: str, offered_by: str,
    value_gbp, offered_on: datetime.date, accepted: bool, reason: str = "",
    organisation: Organisation | None = None,
) -> Gift:  # fmt: skip
    gift = Gift(
        partnership=partnership, person=person, kind=kind, description=description.strip(), offered_by=offered_by.strip(),
        value_gbp=value_gbp, offered_on=offered_on, accepted=accepted, reason=reason.strip(), organisation=organisation,
    )  # fmt: skip
    if offered_on > timezone.localdate():
        raise ValidationError({"offered_on": "The offer cannot be in the future."})
    gift.full_clean()
    gift.save()
    return gift


@transaction.atomic
def round_open(
    *, partnership: Partnership, year: int, opens_on: datetime.date, closes_on: datetime.date
) -> DeclarationRound:
    round_ = DeclarationRound(partnership=partnership, year=year, opens_on=opens_on, closes_on=closes_on)
    round_.full_clean()
    round_.save()
    return round_


@transaction.atomic
def return_make(*, round: DeclarationRound, person: Person, nil_return: bool) -> DeclarationReturn:
    """The person's return for the round: a nil return, or a confirmation that their entries in the
    register are complete (they must have at least one in force then)."""
    if (
        not nil_return
        and not Interest.objects.in_force(timezone.localdate())
        .filter(partnership=round.partnership, person=person)
        .exists()
    ):
        raise ValidationError(
            {"nil_return": "You have no interests in the register: declare them first, or make a nil return."}
        )
    existing = DeclarationReturn.objects.filter(round=round, person=person).first()
    if existing is not None:
        existing.nil_return, existing.confirmed_at = nil_return, timezone.now()
        existing.save()
        return existing
    return DeclarationReturn.objects.create(round=round, person=person, nil_return=nil_return)


# -- calendar subscriptions --------------------------------------------------------------------
@transaction.atomic
def subscription_create(*, person: Person, body: Body | None = None) -> tuple[CalendarSubscription, str]:
    """A new secret calendar address; the token is returned once (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    subscription = CalendarSubscription.objects.create(
        person=person, body=body, token_hash=CalendarSubscription.hash(token)
    )
    return subscription, token


@transaction.atomic
def subscription_revoke(*, subscription: CalendarSubscription) -> None:
    if subscription.revoked_at is None:
        subscription.revoked_at = timezone.now()
        subscription.save(update_fields=["revoked_at"])


@transaction.atomic
def agenda_item_change(
    *, item: AgendaItem, title: str, purpose: str = "", presenter: Person | None = None,
    planned_time: datetime.time | None = None, description: str = "", restricted: bool = False,
    restriction_reason: str = "", organisations: list[Organisation] | tuple = (),
) -> AgendaItem:  # fmt: skip
    """Correct an item; a restricted item's papers and actions follow its flag (they declare it)."""
    item.title, item.purpose, item.presenter, item.planned_time = (
        title.strip(),
        purpose,
        presenter,
        planned_time,
    )
    item.description = description
    item.restricted, item.restriction_reason = restricted, restriction_reason.strip() if restricted else ""
    item.full_clean()
    item.save()
    item.organisations.set(organisations)
    _packs_out_of_date(item.meeting)
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, up: bool) -> AgendaItem:
    """Swap the item with the one before (or after) it; numbers that followed positions follow them."""
    meeting = Meeting.objects.select_for_update().order_by().get(pk=item.meeting_id)
    items = list(meeting.agenda_items.order_by("position"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    swap = index - 1 if up else index + 1
    if swap < 0 or swap >= len(items):
        return item
    first, second = items[index], items[swap]
    positions = (first.position, second.position)
    AgendaItem.objects.filter(pk=first.pk).update(position=0)
    AgendaItem.objects.filter(pk=second.pk).update(position=positions[0])
    AgendaItem.objects.filter(pk=first.pk).update(position=positions[1])
    for moved, new in ((first, positions[1]), (second, positions[0])):
        if moved.reference == str(moved.position):
            AgendaItem.objects.filter(pk=moved.pk).update(reference=str(new))
    _packs_out_of_date(meeting)
    return AgendaItem.objects.get(pk=item.pk)

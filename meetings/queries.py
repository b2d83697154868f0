"""Reading the meeting cycle: the meeting page, interest flags, matters arising, a person's next
meetings and overdue actions (for the home page), paper search. Each a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from bodies.models import Appointment, Person
from bodies.queries import person_id_of, terms_of_reference_as_at
from core import access
from decisions.models import AgendaItem, Attendance, Decision, Declaration, Interest, Meeting
from decisions.queries import QuorumAnswer
from meetings.models import (
    Action,
    AgendaPack,
    ForwardPlanEntry,
    MatterArising,
    MinuteEntry,
    Minutes,
    Paper,
    PaperVersion,
)


@dataclass
class Flag:
    """A member with a declared interest in an organisation the item concerns."""

    person: Person
    interest: Interest
    organisation_name: str
    declared: bool = False


@dataclass
class ItemView:
    item: AgendaItem
    papers: list[Paper] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    quorum: object = None
    entry: object = None  # its minute, where a page reads it


def visible_items(meeting: Meeting, user) -> QuerySet[AgendaItem]:
    return access.restrict(AgendaItem.objects.filter(meeting=meeting), user, "view").order_by("position")


def meeting_items(meeting: Meeting, user, *, with_quorum: bool = True) -> list[ItemView]:
    """The agenda as `user` may read it, each item with its papers, decisions, declarations,
    actions, interest flags and quorum after declarations. Queries do not grow with the items."""
    papers = access.restrict(Paper.objects.defer("search"), user, "view").order_by("position", "id")
    items = list(
        visible_items(meeting, user)
        .select_related("presenter")
        .prefetch_related(
            Prefetch(
                "papers",
                queryset=papers.prefetch_related(
                    Prefetch("versions", queryset=PaperVersion.objects.defer("text").order_by("-number"))
                ),
            ),
            "organisations",
        )
    )
    ids = [item.pk for item in items]
    decisions = defaultdict(list)
    for d in access.restrict(Decision.objects.filter(agenda_item__in=ids), user, "view").order_by("pk"):
        decisions[d.agenda_item_id].append(d)
    declarations = defaultdict(list)
    for d in (
        access.restrict(Declaration.objects.filter(agenda_item__in=ids), user, "view")
        .select_related("person")
        .order_by("pk")
    ):
        declarations[d.agenda_item_id].append(d)
    actions = defaultdict(list)
    for a in (
        access.restrict(Action.objects.filter(agenda_item__in=ids), user, "view")
        .select_related("owner")
        .prefetch_related("updates")
        .order_by("pk")
    ):
        actions[a.agenda_item_id].append(a)
    flags = interest_flags(meeting, items)
    quorum = _quorum(meeting, items) if with_quorum else {}
    return [
        ItemView(
            item=item,
            papers=list(item.papers.all()),
            decisions=decisions[item.pk],
            declarations=declarations[item.pk],
            actions=actions[item.pk],
            flags=flags.get(item.pk, []),
            quorum=quorum.get(item.pk),
        )
        for item in items
    ]


def _quorum(meeting: Meeting, items: list[AgendaItem]) -> dict[int, QuorumAnswer]:
    """The quorum for each item after declarations (decisions.queries.meeting_quorum's rule: voting
    members in the room, less those who left or lost the vote for a declared interest, the
    meeting-wide declarations applying to every item), in three queries however many items."""
    seats = list(
        meeting.attendances.filter(status__in=Attendance.IN_THE_ROOM, voting=True)
        .select_related("person", "deputy")
        .order_by("person__name")
    )
    terms = terms_of_reference_as_at(meeting.body, meeting.meeting_date)
    excluding = defaultdict(dict)
    for declaration in Declaration.objects.filter(
        meeting=meeting, management__in=Declaration.EXCLUDING, rescinded_on__isnull=True
    ).order_by("pk"):
        excluding[declaration.agenda_item_id][declaration.person_id] = declaration
    answers = {}
    for item in items:
        answer = QuorumAnswer(
            meeting=meeting,
            agenda_item=item,
            terms_of_reference=terms,
            quorum_count=terms.quorum_count if terms else None,
            quorum_rule=terms.quorum_rule if terms else "",
        )
        declared = {**excluding[None], **excluding[item.pk]}
        for seat in seats:
            name = seat.person.name
            if seat.status == Attendance.Status.REPRESENTED_BY_DEPUTY:
                name = f"{seat.deputy.name} (deputy for {seat.person.name})"
            declaration = declared.get(seat.acting_person_id)
            if declaration is None:
                answer.counted.append(name)
            else:
                answer.excluded.append(f"{name} ({declaration.get_management_display().lower()})")
        answers[item.pk] = answer
    return answers


def interest_flags(meeting: Meeting, items: list[AgendaItem]) -> dict[int, list[Flag]]:
    """For each item, the members (appointed on the meeting date, or attending) whose interests in
    force name an organisation the item concerns; `declared` once they declared it at the item."""
    on = meeting.meeting_date
    concerned = {item.pk: {o.pk: o.name for o in item.organisations.all()} for item in items}
    organisation_ids = {pk for names in concerned.values() for pk in names}
    if not organisation_ids:
        return {}
    people = set(
        Appointment.objects.in_force(on).filter(body=meeting.body).values_list("person_id", flat=True)
    )
    people |= set(meeting.attendances.values_list("person_id", flat=True))
    interests = list(
        Interest.objects.in_force(on)
        .filter(
            partnership_id=meeting.body.partnership_id, person__in=people, organisation__in=organisation_ids
        )
        .select_related("person")
        .order_by("person__name", "pk")
    )
    declared = set(
        Declaration.objects.filter(meeting=meeting, rescinded_on__isnull=True).values_list(
            "agenda_item_id", "person_id"
        )
    )
    flags: dict[int, list[Flag]] = defaultdict(list)
    for item in items:
        for interest in interests:
            if interest.organisation_id in concerned[item.pk]:
                flags[item.pk].append(
                    Flag(
                        person=interest.person,
                        interest=interest,
                        organisation_name=concerned[item.pk][interest.organisation_id],
                        declared=(item.pk, interest.person_id) in declared,
                    )
                )
    return flags


def previous_and_next(meeting: Meeting, user) -> tuple[Meeting | None, Meeting | None]:
    meetings = access.restrict(Meeting.objects.filter(body=meeting.body_id), user, "view")
    previous = meetings.filter(starts_at__lt=meeting.starts_at).order_by("-starts_at").first()
    following = meetings.filter(starts_at__gt=meeting.starts_at).order_by("starts_at").first()
    return previous, following


def matters_arising(meeting: Meeting, user) -> list[Action]:
    """The body's actions still open, raised at its earlier meetings: the next meeting's matters
    arising (`on_agenda`: already brought to an item of this meeting)."""
    on_agenda = Exists(MatterArising.objects.filter(action=OuterRef("pk"), agenda_item__meeting=meeting))
    return list(
        access.restrict(
            Action.objects.filter(
                body=meeting.body_id,
                agenda_item__meeting__starts_at__lt=meeting.starts_at,
            ).filter(Q(status=Action.Status.OPEN) | Q(closed_on__gte=meeting.meeting_date)),
            user,
            "view",
        )
        .annotate(on_agenda=on_agenda)
        .select_related("owner", "agenda_item__meeting")
        .order_by("due_on", "pk")
    )


def attendance(meeting: Meeting) -> list[Attendance]:
    return list(
        meeting.attendances.select_related("person", "deputy", "appointment").order_by("person__name", "pk")
    )


def expected_attendance(meeting: Meeting) -> list[Appointment]:
    """The appointments in force on the meeting date (who is expected), deputies shown."""
    return list(
        Appointment.objects.in_force(meeting.meeting_date)
        .filter(body=meeting.body)
        .select_related("person")
        .order_by("person__name", "pk")
    )


def latest_packs(meeting: Meeting, user) -> list[AgendaPack]:
    packs = access.restrict(AgendaPack.objects.filter(meeting=meeting, superseded=False), user, "view")
    return list(packs.order_by("members_only", "-requested_at"))


def minutes_of(meeting: Meeting, user) -> Minutes | None:
    return (
        access.restrict(Minutes.objects.filter(meeting=meeting), user, "view")
        .select_related("approval__meeting")
        .first()
    )


def minuted_items(meeting: Meeting, user) -> list[ItemView]:
    """The agenda as `user` may read it (`meeting_items`, without quorum), each item with its minute
    (`view.entry`, amendments loaded) where `user` may read it: for anyone, only approved minutes."""
    items = meeting_items(meeting, user, with_quorum=False)
    entries = access.restrict(
        MinuteEntry.objects.filter(minutes__meeting=meeting).prefetch_related("amendments"), user, "view"
    )
    by_item = {entry.agenda_item_id: entry for entry in entries}
    for view in items:
        view.entry = by_item.get(view.item.pk)
    return items


def planned_entries(meeting: Meeting) -> list[ForwardPlanEntry]:
    """The body's forward plan entries planned for the meeting's month and not yet on its agenda."""
    on = meeting.meeting_date
    return list(
        ForwardPlanEntry.objects.filter(body=meeting.body_id, ended=False, month=on.month)
        .filter(Q(year__isnull=True) | Q(year=on.year))
        .exclude(uses__agenda_item__meeting=meeting)
        .select_related("presenter")
        .order_by("title", "pk")
    )


TERMS_REVIEW_TITLE = "Review of the terms of reference"


def terms_review_due(meeting: Meeting) -> datetime.date | None:
    """The day the body's terms of reference in force fall due for review, when that is before the
    body's next meeting after this one (so the review belongs on this agenda) and no item for it
    is on the agenda yet."""
    terms = terms_of_reference_as_at(meeting.body, meeting.meeting_date)
    due = terms.next_review_due if terms else None
    if due is None or due > meeting.meeting_date + datetime.timedelta(days=62):
        return None
    if meeting.agenda_items.filter(title__istartswith=TERMS_REVIEW_TITLE).exists():
        return None
    return due


def key_decisions_published(
    body_id: int, on: datetime.date | None = None
) -> list[tuple[Meeting, ForwardPlanEntry]]:
    """Key decisions on the forward plan for the body's scheduled meetings from `on` until
    KEY_DECISION_NOTICE_DAYS ahead: what is published (they are published 28 days ahead)."""
    on = on or timezone.localdate()
    last = on + datetime.timedelta(days=settings.KEY_DECISION_NOTICE_DAYS)
    meetings = list(
        access.published(
            Meeting.objects.filter(
                body=body_id,
                status=Meeting.Status.SCHEDULED,
                starts_at__date__gte=on,
                starts_at__date__lte=last,
            )
        ).order_by("starts_at")
    )
    entries = list(
        ForwardPlanEntry.objects.filter(body=body_id, key_decision=True, ended=False).order_by("title")
    )
    return [(m, e) for m in meetings for e in entries if e.planned_for(m)]


# -- for the home page (the lead wires these in) -------------------------------------------------
def next_meetings_for(user, *, limit: int = 5, on: datetime.date | None = None) -> list[Meeting]:
    """The next scheduled meetings of the bodies the user's person sits on, with the papers the user
    may read on each (`meeting.visible_papers`). Three queries."""
    person_id = person_id_of(user)
    if person_id is None:
        return []
    on = on or timezone.localdate()
    bodies = Appointment.objects.in_force(on).filter(person_id=person_id).values("body_id")
    papers = (
        access.restrict(Paper.objects.filter(current_version__gt=0), user, "view")
        .select_related("agenda_item")
        .order_by("agenda_item__position", "position")
    )
    meetings = (
        access.restrict(Meeting.objects.filter(body__in=bodies, starts_at__date__gte=on), user, "view")
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("body")
        .order_by("starts_at")[:limit]
    )
    meetings = list(meetings)
    by_meeting = defaultdict(list)
    for paper in papers.filter(agenda_item__meeting__in=[m.pk for m in meetings]):
        by_meeting[paper.agenda_item.meeting_id].append(paper)
    for meeting in meetings:
        meeting.visible_papers = by_meeting[meeting.pk]
    return meetings


def overdue_actions_for(user, *, on: datetime.date | None = None) -> list[Action]:
    """The open actions owned by the user's person that are past their due date (one query)."""
    person_id = person_id_of(user)
    if person_id is None:
        return []
    on = on or timezone.localdate()
    return list(
        access.restrict(
            Action.objects.filter(owner_id=person_id, status=Action.Status.OPEN, due_on__lt=on), user, "view"
        )
        .select_related("body", "agenda_item__meeting")
        .order_by("due_on", "pk")
    )


# -- search ----------------------------------------------------------------------------------------
def paper_search(user, text: str, *, limit: int = 50) -> list[Paper]:
    """Papers whose title, meeting or text match `text` (PostgreSQL full-text search, English),
    best first, each with a `headline` (the matching words in context). Only papers the user may read."""
    text = (text or "").strip()
    if not text:
        return []
    query = SearchQuery(text, search_type="websearch", config="english")
    papers = (
        access.restrict(Paper.objects.filter(search=query), user, "view")
        .select_related("agenda_item__meeting__body")
        .annotate(rank=SearchRank(F("search"), query))
        .order_by("-rank", "-pk")[:limit]
    )
    found = list(papers)
    texts = dict(
        PaperVersion.objects.filter(paper__in=[p.pk for p in found], number=F("paper__current_version"))
        .annotate(
            headline=SearchHeadline(
                "text", query, config="english", max_words=30, min_words=10, start_sel="\x01", stop_sel="\x02"
            )
        )
        .values_list("paper_id", "headline")
    )
    for paper in found:
        # The paper's words escaped; only the highlighting is markup.
        words = conditional_escape(texts.get(paper.pk, ""))
        paper.headline = mark_safe(words.replace("\x01", "<mark>").replace("\x02", "</mark>"))
    return found

"""Reads of the decisions register: quorum, who must ratify, urgent decisions due, what is outstanding."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField as BooleanOutput
from django.db.models import Case, Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from bodies.models import Appointment, Body, TermsOfReference
from bodies.queries import person_id_of, terms_of_reference_as_at
from core import access
from core.effective_dating import today
from decisions.models import AgendaItem, Attendance, Decision, Declaration, Meeting, Proposal, Ratification
from delegation.models import ApprovalStage
from delegation.queries import resolve_authority


@dataclass
class QuorumAnswer:
    """Whether a meeting (or one item of it) was quorate, and why."""

    meeting: Meeting
    agenda_item: AgendaItem | None
    terms_of_reference: TermsOfReference | None
    quorum_count: int | None
    quorum_rule: str
    counted: list[str] = field(default_factory=list)  # voting members in the room, after exclusions
    excluded: list[str] = field(default_factory=list)  # "name (reason)"
    explanation: str = ""

    @property
    def defined(self) -> bool:
        return self.quorum_count is not None

    @property
    def eligible_voters(self) -> int:
        return len(self.counted)

    @property
    def met(self) -> bool | None:
        """None where the terms of reference in force give no quorum count."""
        return None if self.quorum_count is None else self.eligible_voters >= self.quorum_count


def excluding_declarations(meeting: Meeting, agenda_item: AgendaItem | None = None) -> QuerySet[Declaration]:
    """Declarations that take someone out of the item's quorum and votes: they left, or lost the vote.

    A declaration for the whole meeting applies to every item; one for an item, to that item only.
    """
    items = Q(agenda_item__isnull=True)
    if agenda_item is not None:
        items |= Q(agenda_item=agenda_item)
    return Declaration.objects.filter(
        items, meeting=meeting, management__in=Declaration.EXCLUDING, rescinded_on__isnull=True
    ).select_related("person")


def meeting_quorum(meeting: Meeting, agenda_item: AgendaItem | None = None) -> QuorumAnswer:
    """Quorum from the terms of reference in force on the meeting date and the attendance recorded,
    after excluding members who declared an interest and left or lost their vote (for the item)."""
    terms = terms_of_reference_as_at(meeting.body, meeting.meeting_date)
    answer = QuorumAnswer(
        meeting=meeting,
        agenda_item=agenda_item,
        terms_of_reference=terms,
        quorum_count=terms.quorum_count if terms else None,
        quorum_rule=terms.quorum_rule if terms else "",
    )
    declarations = {d.person_id: d for d in excluding_declarations(meeting, agenda_item)}
    seats = (
        meeting.attendances.filter(status__in=Attendance.IN_THE_ROOM, voting=True)
        .select_related("person", "deputy")
        .order_by("person__name")
    )
    for seat in seats:
        name = seat.person.name
        if seat.status == Attendance.Status.REPRESENTED_BY_DEPUTY:
            name = f"{seat.deputy.name} (deputy for {seat.person.name})"
        declaration = declarations.get(seat.acting_person_id)
        if declaration is None:
            answer.counted.append(name)
        else:
            answer.excluded.append(f"{name} ({declaration.get_management_display().lower()})")
    answer.explanation = _explain_quorum(answer)
    return answer


def _explain_quorum(answer: QuorumAnswer) -> str:
    counted = f"{answer.eligible_voters} voting member(s) counted"
    if answer.excluded:
        counted += f", after excluding {', '.join(answer.excluded)} for a declared interest"
    if answer.terms_of_reference is None:
        return f"Quorum not defined: {answer.meeting.body.name} has no approved terms of reference in force; {counted}."
    if answer.quorum_count is None:
        rule = f" (the rule reads “{answer.quorum_rule}”)" if answer.quorum_rule else ""
        return f"Quorum not defined: the terms of reference give no quorum count{rule}; {counted}."
    verdict = "quorate" if answer.met else "not quorate"
    return f"{verdict.capitalize()}: the terms of reference require {answer.quorum_count}; {counted}."


def chair_as_at(body: Body, on: datetime.date) -> Appointment | None:
    return (
        Appointment.objects.in_force(on)
        .filter(body=body, role=Appointment.Role.CHAIR)
        .select_related("person")
        .first()
    )


def ratifying_boards(organisations, on: datetime.date) -> dict[int, Body]:
    """Each organisation's own statutory board in force on the day, where the registry holds one."""
    boards: dict[int, Body] = {}
    for board in (
        Body.objects.in_force(on)
        .filter(kind=Body.Kind.STATUTORY_BOARD, organisation__in=organisations)
        .order_by("organisation_id", "name", "id")
    ):
        boards.setdefault(board.organisation_id, board)
    return boards


# -- urgent decisions ---------------------------------------------------------------------
def _next_meeting(column: str):
    return Subquery(
        Meeting.objects.filter(body=OuterRef("body"), starts_at__date__gt=OuterRef("decided_on"))
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "id")
        .values(column)[:1]
    )


def urgent_decisions_awaiting_report(queryset: QuerySet[Decision] | None = None) -> QuerySet[Decision]:
    """Urgent decisions not yet reported, each with the meeting it is due at (`due_at_id`: the body's
    next meeting after it was taken) and whether it is `overdue` (that meeting was held without it)."""
    queryset = Decision.objects.all() if queryset is None else queryset
    return (
        queryset.filter(urgent=True, reported_at__isnull=True)
        .standing()
        .annotate(
            due_at_id=_next_meeting("pk"),
            due_at_starts_at=_next_meeting("starts_at"),
            due_at_status=_next_meeting("status"),
        )
        .annotate(
            overdue=Case(
                When(due_at_status=Meeting.Status.HELD, then=Value(True)),
                default=Value(False),
                output_field=BooleanOutput(),
            )
        )
    )


def urgent_overdue_by_partnership(queryset: QuerySet[Decision]) -> dict[int, int]:
    """Partnership id -> urgent decisions whose report is overdue (the meeting they were due at was
    held without them), in one grouped query."""
    rows = (
        urgent_decisions_awaiting_report(queryset)
        .filter(overdue=True)
        .order_by()
        .values("body__partnership_id")
        .annotate(n=Count("id"))
    )
    return {row["body__partnership_id"]: row["n"] for row in rows}


def urgent_decisions_due_at(meeting: Meeting) -> QuerySet[Decision]:
    """The urgent decisions to be reported for ratification at this meeting (Cambridgeshire 9.12)."""
    return urgent_decisions_awaiting_report(Decision.objects.filter(body=meeting.body_id)).filter(
        due_at_id=meeting.pk
    )


# -- ratification tracker -------------------------------------------------------------------
@dataclass
class OutstandingRatification:
    ratification: Ratification
    age_days: int


def ratifications_outstanding(
    queryset: QuerySet[Ratification] | None = None, on: datetime.date | None = None
) -> list[OutstandingRatification]:
    """Ratifications still pending or deferred on decisions awaiting them, oldest first, with their age."""
    on = on or today()
    return [
        OutstandingRatification(row, (on - row.decision.decided_on).days) for row in outstanding(queryset)
    ]


def outstanding(queryset: QuerySet[Ratification] | None = None) -> QuerySet[Ratification]:
    """The outstanding ratifications of `queryset` as a queryset, oldest decision first: what a
    tracker pages through (ages are the day asked about minus `decision.decided_on`)."""
    queryset = Ratification.objects.all() if queryset is None else queryset
    return (
        queryset.filter(
            outcome__in=Ratification.OUTSTANDING, decision__status=Decision.Status.AWAITING_RATIFICATION
        )
        .select_related("decision__body", "organisation", "ratifying_board")
        .order_by("decision__decided_on", "decision_id", "organisation__name", "id")
    )


def _outstanding_counts(queryset: QuerySet[Ratification], *keys: str):
    """Outstanding ratifications grouped by `keys`: how many, and the oldest decision's date."""
    return (
        outstanding(queryset)
        .order_by()
        .values(*keys)
        .annotate(outstanding=Count("id"), oldest=Min("decision__decided_on"))
    )


def outstanding_by_organisation(
    queryset: QuerySet[Ratification], on: datetime.date | None = None
) -> list[dict]:
    """Per organisation: how many ratifications it owes and the age in days of the oldest, oldest first.

    One grouped query, however many organisations and decisions there are.
    """
    on = on or today()
    rows = _outstanding_counts(queryset, "organisation_id", "organisation__name")
    summary = [
        {
            "organisation_id": row["organisation_id"],
            "organisation": row["organisation__name"],
            "outstanding": row["outstanding"],
            "oldest_days": (on - row["oldest"]).days,
        }
        for row in rows
    ]
    return sorted(summary, key=lambda row: (-row["oldest_days"], row["organisation"]))


def outstanding_by_partnership(
    queryset: QuerySet[Ratification], on: datetime.date | None = None
) -> dict[int, tuple[int, int]]:
    """Partnership id -> (ratifications outstanding, age in days of the oldest), in one grouped query."""
    on = on or today()
    rows = _outstanding_counts(queryset, "decision__body__partnership_id")
    return {
        row["decision__body__partnership_id"]: (row["outstanding"], (on - row["oldest"]).days) for row in rows
    }


# -- proposals ------------------------------------------------------------------------------
@dataclass
class StagePosition:
    stage: ApprovalStage
    acting: list[str]
    passed: bool
    is_next: bool
    decisions: list[Decision]


@dataclass
class ProposalPosition:
    proposal: Proposal
    stages: list[StagePosition]
    next_stage: ApprovalStage | None
    explanation: list[str]


def proposal_position(proposal: Proposal) -> ProposalPosition:
    """Where the proposal stands on its route, the decisions taken at each stage, and what is next."""
    stages = list(
        proposal.route.stages.order_by("position").prefetch_related(
            Prefetch("acting_bodies", queryset=Body.objects.order_by("name"))
        )
    )
    decisions: dict[int, list[Decision]] = {}
    for decision in proposal.decisions.standing().select_related("body").order_by("decided_on", "id"):
        decisions.setdefault(decision.approval_stage_id, []).append(decision)
    next_stage = next_stage_of(proposal, stages)
    positions = [
        StagePosition(
            stage=stage,
            acting=[body.name for body in stage.acting_bodies.all()] or [stage.acting_organisations_note],
            passed=stage.position <= proposal.stage_reached,
            is_next=next_stage is not None and stage.pk == next_stage.pk,
            decisions=decisions.get(stage.pk, []),
        )
        for stage in stages
    ]
    answer = resolve_authority(
        partnership=proposal.partnership, category=proposal.category, stage_reached=proposal.stage_reached
    )
    explanation = [f"{proposal.title}: {proposal.get_status_display().lower()}.", *answer.explanation]
    return ProposalPosition(proposal, positions, next_stage, explanation)


def next_stage_of(proposal: Proposal, stages: list[ApprovalStage] | None = None) -> ApprovalStage | None:
    """The first stage after the last one passed; None when every stage is passed or the proposal is closed."""
    if proposal.status != Proposal.Status.IN_PROGRESS:
        return None
    if stages is None:
        stages = list(proposal.route.stages.order_by("position"))
    return next((stage for stage in stages if stage.position > proposal.stage_reached), None)


def interests_writable(queryset: QuerySet, user) -> QuerySet:
    """Interests `user` may enter or correct in the register.

    The secretariat keeps its partnerships' registers; a member declares their own interests
    (Cambridgeshire 9.13: members declare, the secretariat records) — only their own, and only in
    partnerships where they hold the member role.
    """
    editable = access.partnership_scope(user, "change")
    if editable is None:
        return queryset
    allowed = Q(partnership__in=editable)
    declaring = access.partnership_scope(user, "declare") or set()
    person_id = person_id_of(user) if declaring else None
    if person_id is not None:
        allowed |= Q(partnership__in=declaring, person_id=person_id)
    return queryset.filter(allowed)


def may_declare_interests(user) -> bool:
    """Whether `user` may add anything to a register of interests (so a create is worth trying)."""
    editable = access.partnership_scope(user, "change")
    if editable is None or editable:
        return True
    return bool(access.partnership_scope(user, "declare")) and person_id_of(user) is not None

"""Workflows of the decisions register: each is atomic and called alike by the admin and the API.

Recording a decision resolves its authority (`decision_plan`), so no decision is ever accepted
without it: a body without authority is refused with the reason, or — when asked — its
resolution is recorded as a recommendation to the body that holds authority.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bodies.models import Appointment, Body, Organisation, Person, TermsOfReference
from bodies.queries import terms_of_reference_as_at
from core import webhooks
from core.effective_dating import today
from decisions.models import (
    AgendaItem,
    Attendance,
    Decision,
    Declaration,
    Interest,
    Meeting,
    Proposal,
    Ratification,
)
from decisions.queries import (
    QuorumAnswer,
    chair_as_at,
    meeting_quorum,
    next_stage_of,
    ratifying_boards,
)
from delegation.models import ApprovalRoute, ApprovalStage, Matter, Power
from delegation.queries import RATIFIABLE_POWERS, AuthorityPath, ratifying_parties, resolve_authority

# The acts a delegated power covers: a body that may approve may also endorse, recommend,
# review, evaluate or note; the other powers cover what they name (docs/decisions/0005).
POWERS_COVERED: dict[str, set[str]] = {
    Power.APPROVE: {Power.APPROVE, Power.ENDORSE, Power.RECOMMEND, Power.REVIEW, Power.EVALUATE, Power.NOTE},
    Power.ENDORSE: {Power.ENDORSE, Power.RECOMMEND, Power.REVIEW, Power.NOTE},
    Power.RECOMMEND: {Power.RECOMMEND, Power.REVIEW, Power.NOTE},
    Power.EVALUATE: {Power.EVALUATE, Power.REVIEW, Power.NOTE},
    Power.REVIEW: {Power.REVIEW, Power.NOTE},
    Power.SIGN_OFF: {Power.SIGN_OFF},
    Power.NOTE: {Power.NOTE},
    Power.EXERCISE: {Power.EXERCISE},
}
# Offices whose delegations an urgent decision (taken by the chair outside a meeting) may rest on.
URGENT_OFFICES = ("", "chair", "vice_chair")
MAX_PLANNED_MEETINGS = 120
FREQUENCY_STEP = {
    TermsOfReference.Frequency.WEEKLY: relativedelta(weeks=1),
    TermsOfReference.Frequency.FORTNIGHTLY: relativedelta(weeks=2),
    TermsOfReference.Frequency.MONTHLY: relativedelta(months=1),
    TermsOfReference.Frequency.BIMONTHLY: relativedelta(months=2),
    TermsOfReference.Frequency.QUARTERLY: relativedelta(months=3),
    TermsOfReference.Frequency.SIX_MONTHLY: relativedelta(months=6),
    TermsOfReference.Frequency.ANNUALLY: relativedelta(years=1),
}


def _covers(delegated: str, exercised: str) -> bool:
    return exercised in POWERS_COVERED.get(delegated, {delegated})


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


# -- recording decisions -------------------------------------------------------------------
@dataclass
class DecisionPlan:
    """What recording a decision would store: its date, authority, quorum and the ratifications it needs."""

    decided_on: datetime.date
    recorded_as: str
    status: str
    delegation_id: int | None = None
    recommended_to: Body | None = None
    explanation: list[str] = field(default_factory=list)
    ratifying: list[Organisation] = field(default_factory=list)
    quorum: QuorumAnswer | None = None


def decision_plan(
    *,
    body: Body,
    power: str,
    outcome: str,
    matter: Matter | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    urgent: bool = False,
    decided_on: datetime.date | None = None,
    amount_gbp: Decimal | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstaining: int | None = None,
    recorded_as: str = Decision.RecordedAs.DECISION,
    approval_stage: ApprovalStage | None = None,
) -> DecisionPlan:
    """Check a decision before it is recorded and resolve its authority; writes nothing.

    Raises ValidationError with the reason when it cannot be recorded: no authority, an inquorate
    meeting, more votes than members who could vote, a cancelled meeting.
    """
    if body.partnership_id is None:
        raise ValidationError({"body": "Decisions are recorded for the partnership's bodies."})
    if power not in Power.values:
        raise ValidationError({"power": f"Choose one of: {', '.join(Power.values)}."})
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": f"Choose one of: {', '.join(Decision.Outcome.values)}."})
    if recorded_as not in Decision.RecordedAs.values:
        raise ValidationError({"recorded_as": f"Choose one of: {', '.join(Decision.RecordedAs.values)}."})
    decided_on = _decision_date(body=body, meeting=meeting, urgent=urgent, decided_on=decided_on)
    votes = [v for v in (votes_for, votes_against, votes_abstaining) if v is not None]
    if any(v < 0 for v in votes):
        raise ValidationError({"votes_for": "Votes cannot be negative."})
    quorum = None
    if meeting is not None:
        if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
            raise ValidationError({"agenda_item": "The item is on another meeting's agenda."})
        quorum = meeting_quorum(meeting, agenda_item)
        if quorum.met is False:
            raise ValidationError(
                {
                    "meeting": f"The meeting was not quorate for this item, so no decision can be recorded. {quorum.explanation}"
                }
            )
        if sum(votes) > quorum.eligible_voters:
            raise ValidationError(
                {
                    "votes_for": f"{sum(votes)} votes were counted, but only {quorum.eligible_voters} member(s) "
                    f"could vote on this item. {quorum.explanation} Record the attendance (and any declarations) "
                    "first; a member who left or lost the vote for a declared interest is not counted."
                }
            )
    elif votes:
        raise ValidationError(
            {"votes_for": "An urgent decision is taken by the chair outside a meeting; it has no votes."}
        )
    if approval_stage is not None:
        plan = _stage_authority(body=body, stage=approval_stage, power=power, outcome=outcome, on=decided_on)
    else:
        plan = _matter_authority(
            body=body,
            matter=matter,
            power=power,
            outcome=outcome,
            amount_gbp=amount_gbp,
            on=decided_on,
            urgent=urgent,
            recorded_as=recorded_as,
        )
    plan.quorum = quorum
    return plan


def _decision_date(
    *, body: Body, meeting: Meeting | None, urgent: bool, decided_on: datetime.date | None
) -> datetime.date:
    if urgent:
        if meeting is not None:
            raise ValidationError(
                {"meeting": "An urgent decision is taken outside a meeting; leave the meeting empty."}
            )
        if decided_on is None:
            raise ValidationError({"decided_on": "Give the day the urgent decision was taken."})
        return decided_on
    if meeting is None:
        raise ValidationError(
            {
                "meeting": "Give the meeting at which it was decided, or record it as urgent (taken by the chair "
                "outside a meeting, with the reason for urgency)."
            }
        )
    if meeting.body_id != body.pk:
        raise ValidationError({"meeting": f"The meeting is of {meeting.body.name}, not {body.name}."})
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": "The meeting was cancelled; nothing was decided at it."})
    if meeting.status == Meeting.Status.SCHEDULED:
        raise ValidationError({"meeting": "The meeting is still scheduled: record it as held first."})
    if decided_on is not None and decided_on != meeting.meeting_date:
        raise ValidationError(
            {
                "decided_on": f"A decision at a meeting is dated the day of the meeting ({_day(meeting.meeting_date)})."
            }
        )
    return meeting.meeting_date


def _matter_authority(
    *,
    body: Body,
    matter: Matter | None,
    power: str,
    outcome: str,
    amount_gbp: Decimal | None,
    on: datetime.date,
    urgent: bool,
    recorded_as: str,
) -> DecisionPlan:
    if matter is None:
        raise ValidationError({"matter": "Give the matter decided, so its authority can be found."})
    if matter.partnership_id != body.partnership_id:
        raise ValidationError({"matter": "The matter belongs to another partnership."})
    answer = resolve_authority(partnership=body.partnership, matter=matter, amount_gbp=amount_gbp, on=on)
    offices = URGENT_OFFICES if urgent else ("",)
    own = sorted(
        (p for p in answer.paths if p.body_id == body.pk and p.office in offices and _covers(p.power, power)),
        key=lambda p: (offices.index(p.office), len(p.chain)),
    )
    if own:
        return _plan_within_authority(
            body=body,
            answer=answer,
            path=own[0],
            power=power,
            outcome=outcome,
            on=on,
            recorded_as=recorded_as,
        )
    refusal = _refusal(body=body, matter=matter, answer=answer, offices=offices, power=power, on=on)
    holders = [p for p in answer.paths if p.body_id != body.pk and p.office == "" and _covers(p.power, power)]
    if recorded_as == Decision.RecordedAs.RECOMMENDATION:
        return _plan_recommendation(answer=answer, holders=holders, refusal=refusal, on=on)
    hint = (
        f" Record it as a recommendation to {holders[0].body} instead (recorded_as: recommendation)."
        if holders
        else ""
    )
    raise ValidationError({"matter": " ".join([refusal, *answer.explanation]) + hint})


def _plan_within_authority(
    *, body: Body, answer, path: AuthorityPath, power: str, outcome: str, on: datetime.date, recorded_as: str
) -> DecisionPlan:
    """The body holds the authority along `path`: a decision, ratified by the partners when the
    body's decisions do not bind them."""
    if recorded_as == Decision.RecordedAs.RECOMMENDATION:
        label = Power(power).label.lower()
        raise ValidationError(
            {"recorded_as": f"{body.name} holds authority to {label} this; record it as a decision."}
        )
    ratifying = []
    if outcome == Decision.Outcome.CARRIED and not path.binds_partners and power in RATIFIABLE_POWERS:
        ratifying = list(ratifying_parties(body.partnership, on))
    explanation = [_path_line(answer, path)]
    if ratifying:
        explanation.append(
            f"{body.name}'s decisions do not bind the partners: each of the {len(ratifying)} parties' own "
            "boards must ratify it before it takes effect."
        )
    return DecisionPlan(
        decided_on=on,
        recorded_as=Decision.RecordedAs.DECISION,
        status=_initial_status(outcome, ratifying),
        delegation_id=path.chain[-1].delegation_id,
        explanation=explanation,
        ratifying=ratifying,
    )


def _refusal(*, body: Body, matter: Matter, answer, offices: tuple, power: str, on: datetime.date) -> str:
    """Why the body holds no authority for the matter: excluded paths, or the powers it does hold."""
    refusal = f"{body.name} holds no authority to {Power(power).label.lower()} “{matter.name}” on {_day(on)}"
    own_excluded = [p for p in answer.excluded if p.body_id == body.pk]
    other_powers = sorted({p.power for p in answer.paths if p.body_id == body.pk and p.office in offices})
    if own_excluded:
        refusal += ": " + "; ".join(p.excluded_because for p in own_excluded)
    elif other_powers:
        refusal += f": it may only {' or '.join(Power(p).label.lower() for p in other_powers)} it"
    return refusal + "."


def _plan_recommendation(
    *, answer, holders: list[AuthorityPath], refusal: str, on: datetime.date
) -> DecisionPlan:
    """A recommendation to the first other body that holds the authority, or a refusal when none does."""
    if not holders:
        raise ValidationError(
            {
                "recorded_as": " ".join(
                    [refusal, "No other body holds authority for it either, so there is no one to recommend it to.",
                     *answer.explanation]
                )
            }
        )  # fmt: skip
    holder = holders[0]
    return DecisionPlan(
        decided_on=on,
        recorded_as=Decision.RecordedAs.RECOMMENDATION,
        status=Decision.Status.RECOMMENDATION,
        recommended_to=Body.objects.get(pk=holder.body_id),
        explanation=[
            f"{refusal} Recorded as a recommendation to {holder.body}.",
            _path_line(answer, holder),
        ],
    )


def _path_line(answer, path: AuthorityPath) -> str:
    return answer.explanation[answer.paths.index(path)]


def _stage_authority(
    *, body: Body, stage: ApprovalStage, power: str, outcome: str, on: datetime.date
) -> DecisionPlan:
    route = stage.route
    if route.partnership_id != body.partnership_id:
        raise ValidationError({"approval_stage": "The stage belongs to another partnership's route."})
    acting = list(stage.acting_bodies.all())
    if body not in acting:
        names = " and ".join(b.name for b in acting) or stage.acting_organisations_note
        raise ValidationError(
            {"body": f"Stage {stage.position} “{stage.name}” is taken by {names}, not by {body.name}."}
        )
    if power != stage.power:
        raise ValidationError(
            {"power": f"Stage {stage.position} “{stage.name}” is to {stage.get_power_display().lower()}."}
        )
    source = f" ({stage.source_citation})" if stage.source_citation else ""
    return DecisionPlan(
        decided_on=on,
        recorded_as=Decision.RecordedAs.DECISION,
        status=_initial_status(outcome, []),
        explanation=[
            f"Authorised by the approval route “{route.name}”, stage {stage.position} “{stage.name}”, "
            f"taken by {body.name}{source}."
        ],
    )


def _initial_status(outcome: str, ratifying: Sequence) -> str:
    if outcome != Decision.Outcome.CARRIED:
        return Decision.Status.NOT_EFFECTIVE
    return Decision.Status.AWAITING_RATIFICATION if ratifying else Decision.Status.EFFECTIVE


# Recording a decision takes the same input from every front-end (the API's DecisionRecordSerializer,
# the staff page's DecisionForm, the admin's DecisionAddForm): these names, as the model names them.
DECISION_INPUT = (
    "body", "meeting", "agenda_item", "matter", "power", "amount_gbp", "resolution", "outcome",
    "votes_for", "votes_against", "votes_abstaining", "minute_reference", "urgent", "urgency_reason",
    "consulted", "taken_by", "decided_on", "recorded_as", "restricted", "restriction_reason",
    "source_document", "source_reference", "source_url",
)  # fmt: skip


def decision_input(data: Mapping[str, Any]) -> dict[str, Any]:
    """`decision_record`'s arguments from a front-end's cleaned input: the names above, an empty
    value left to the service's default."""
    return {name: data[name] for name in DECISION_INPUT if data.get(name) is not None}


@transaction.atomic
def decision_record(
    *,
    body: Body,
    power: str,
    resolution: str,
    outcome: str,
    matter: Matter | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    urgent: bool = False,
    urgency_reason: str = "",
    consulted: Sequence[str] = (),
    taken_by: Person | None = None,
    decided_on: datetime.date | None = None,
    amount_gbp: Decimal | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstaining: int | None = None,
    minute_reference: str = "",
    recorded_as: str = Decision.RecordedAs.DECISION,
    restricted: bool = False,
    restriction_reason: str = "",
    proposal: Proposal | None = None,
    approval_stage: ApprovalStage | None = None,
    source_document: str = "",
    source_reference: str = "",
    source_url: str = "",
) -> Decision:
    """Record a decision with the authority that allows it, and the ratifications it needs.

    The meeting row is locked, so attendance and declarations cannot change under the quorum check.
    """
    if meeting is not None:
        meeting = Meeting.objects.select_for_update().select_related("body").order_by().get(pk=meeting.pk)
    consulted = [name.strip() for name in consulted if name and name.strip()]
    if urgent:
        if not urgency_reason.strip():
            raise ValidationError(
                {"urgency_reason": "Give the reason the decision could not wait for a meeting."}
            )
        if not consulted:
            raise ValidationError(
                {
                    "consulted": "Say who was consulted (Cambridgeshire 9.12: the chair, chief executive and "
                    "director of finance, or their equivalents, of each partner organisation)."
                }
            )
    plan = decision_plan(
        body=body,
        power=power,
        outcome=outcome,
        matter=matter,
        meeting=meeting,
        agenda_item=agenda_item,
        urgent=urgent,
        decided_on=decided_on,
        amount_gbp=amount_gbp,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstaining=votes_abstaining,
        recorded_as=recorded_as,
        approval_stage=approval_stage,
    )
    if restricted and not restriction_reason.strip():
        raise ValidationError({"restriction_reason": "Give the reason it is not for publication."})
    if agenda_item is not None and agenda_item.restricted and not restricted:
        restricted, restriction_reason = True, agenda_item.restriction_reason
    if urgent and taken_by is None:
        chair = chair_as_at(body, plan.decided_on)
        taken_by = chair.person if chair else None
    decision = Decision(
        body=body,
        meeting=meeting,
        agenda_item=agenda_item,
        urgent=urgent,
        urgency_reason=urgency_reason.strip(),
        consulted=consulted,
        taken_by=taken_by,
        proposal=proposal,
        approval_stage=approval_stage,
        matter=matter,
        power=power,
        amount_gbp=amount_gbp,
        resolution=resolution,
        outcome=outcome,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstaining=votes_abstaining,
        minute_reference=minute_reference,
        decided_on=plan.decided_on,
        delegation_id=plan.delegation_id,
        authority_explanation="\n".join(plan.explanation),
        recorded_as=plan.recorded_as,
        recommended_to=plan.recommended_to,
        status=plan.status,
        effective_on=plan.decided_on if plan.status == Decision.Status.EFFECTIVE else None,
        restricted=restricted,
        restriction_reason=restriction_reason,
        source_document=source_document,
        source_reference=source_reference,
        source_url=source_url,
    )
    decision.full_clean()
    decision.save()
    boards = ratifying_boards(plan.ratifying, plan.decided_on)
    for organisation in plan.ratifying:
        ratification = Ratification(
            decision=decision, organisation=organisation, ratifying_board=boards.get(organisation.pk)
        )
        ratification.full_clean(validate_unique=False)
        ratification.save()
    webhooks.record_event(event_type=webhooks.DECISION_RECORDED, record=decision)
    return decision


@transaction.atomic
def decision_rescind(
    *,
    decision: Decision,
    reason: str,
    rescinded_on: datetime.date | None = None,
    corrected_by: Decision | None = None,
) -> Decision:
    """Mark a decision rescinded (or corrected by a later record), with the reason; it is never deleted."""
    decision = Decision.objects.select_for_update().order_by().get(pk=decision.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the decision is rescinded."})
    if decision.status == Decision.Status.RESCINDED:
        if decision.rescission_reason == reason:
            return decision
        raise ValidationError(
            {"reason": f"The decision was already rescinded on {_day(decision.rescinded_on)}."}
        )
    rescinded_on = rescinded_on or today()
    if rescinded_on < decision.decided_on:
        raise ValidationError({"rescinded_on": "A decision cannot be rescinded before it was taken."})
    if corrected_by is not None:
        if corrected_by.pk == decision.pk or corrected_by.body_id != decision.body_id:
            raise ValidationError(
                {"corrected_by": "The correcting decision must be another decision of the same body."}
            )
        decision.corrected_by = corrected_by
    decision.status = Decision.Status.RESCINDED
    decision.effective_on = None
    decision.rescinded_on = rescinded_on
    decision.rescission_reason = reason
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def urgent_decision_report(*, decision: Decision, meeting: Meeting) -> Decision:
    """Record that an urgent decision was reported to a meeting of its body (Cambridgeshire 9.12)."""
    decision = Decision.objects.select_for_update().order_by().get(pk=decision.pk)
    if not decision.urgent:
        raise ValidationError({"decision": "Only an urgent decision is reported to a later meeting."})
    if decision.reported_at_id == meeting.pk:
        return decision
    if decision.reported_at_id is not None:
        raise ValidationError({"meeting": f"It was already reported to {decision.reported_at}."})
    if decision.status == Decision.Status.RESCINDED:
        raise ValidationError({"decision": "The decision was rescinded."})
    if meeting.body_id != decision.body_id:
        raise ValidationError({"meeting": "An urgent decision is reported to a meeting of its own body."})
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": "The meeting was cancelled."})
    if meeting.meeting_date <= decision.decided_on:
        raise ValidationError({"meeting": "An urgent decision is reported to a meeting after it was taken."})
    decision.reported_at = meeting
    decision.full_clean()
    decision.save()
    return decision


# -- ratification ------------------------------------------------------------------------------
@transaction.atomic
def ratification_record(
    *,
    ratification: Ratification,
    outcome: str,
    decided_on: datetime.date,
    minute_reference: str = "",
    ratifying_board: Body | None = None,
    correction_reason: str = "",
) -> Ratification:
    """Record a partner board's answer and bring the decision's status up to date.

    Idempotent: the same answer recorded again changes nothing. The decision row is locked first,
    so concurrent ratifications of one decision are applied one after another and the last one
    to arrive sees every other (none is lost, and the decision becomes effective exactly once).
    """
    decision = Decision.objects.select_for_update().order_by().get(pk=ratification.decision_id)
    current = Ratification.objects.select_for_update().order_by().get(pk=ratification.pk)
    current.decision = decision  # the locked row, whose status is brought up to date below
    if outcome not in (
        Ratification.Outcome.RATIFIED,
        Ratification.Outcome.DECLINED,
        Ratification.Outcome.DEFERRED,
    ):
        raise ValidationError({"outcome": "Record ratified, declined or deferred."})
    if decided_on is None:
        raise ValidationError({"decided_on": "Give the day the board considered it."})
    if decision.status == Decision.Status.RESCINDED:
        raise ValidationError(
            {
                "outcome": f"The decision was rescinded on {_day(decision.rescinded_on)}; nothing is left to ratify."
            }
        )
    same = (
        current.outcome == outcome
        and current.decided_on == decided_on
        and minute_reference in ("", current.minute_reference)
        and (ratifying_board is None or ratifying_board.pk == current.ratifying_board_id)
    )
    if same:
        return current
    if current.outcome in (Ratification.Outcome.RATIFIED, Ratification.Outcome.DECLINED):
        if not correction_reason.strip():
            raise ValidationError(
                {
                    "correction_reason": f"{current.organisation.name} is recorded as having "
                    f"{current.get_outcome_display().lower()} it on {_day(current.decided_on)}; to correct that "
                    "record, give the reason."
                }
            )
        current.correction_reason = correction_reason.strip()
    current.outcome = outcome
    current.decided_on = decided_on
    if minute_reference:
        current.minute_reference = minute_reference
    if ratifying_board is not None:
        current.ratifying_board = ratifying_board
    current.full_clean()
    current.save()
    _decision_status_refresh(decision)
    webhooks.record_event(event_type=webhooks.RATIFICATION_RECORDED, record=current)
    return current


def _decision_status_refresh(decision: Decision) -> None:
    """Awaiting ratification until every party has ratified (effective) or one declines (not effective)."""
    if (
        decision.status
        not in (
            Decision.Status.AWAITING_RATIFICATION,
            Decision.Status.EFFECTIVE,
            Decision.Status.NOT_EFFECTIVE,
        )
        or decision.outcome != Decision.Outcome.CARRIED
    ):
        return
    answers = list(decision.ratifications.values_list("outcome", "decided_on"))
    if not answers:
        return
    outcomes = {outcome for outcome, _ in answers}
    if Ratification.Outcome.DECLINED in outcomes:
        status, effective_on = Decision.Status.NOT_EFFECTIVE, None
    elif outcomes == {Ratification.Outcome.RATIFIED}:
        status, effective_on = Decision.Status.EFFECTIVE, max(day for _, day in answers)
    else:
        status, effective_on = Decision.Status.AWAITING_RATIFICATION, None
    if (decision.status, decision.effective_on) != (status, effective_on):
        decision.status, decision.effective_on = status, effective_on
        decision.save(update_fields=["status", "effective_on"])


# -- meetings, attendance and declarations -------------------------------------------------
def _refuse_if_decided(meeting: Meeting, agenda_item: AgendaItem | None, what: str) -> None:
    decided = meeting.decisions.standing()
    if agenda_item is not None:
        decided = decided.filter(agenda_item__in=[agenda_item])
    if decided.exists():
        raise ValidationError(
            {
                "meeting": f"Decisions are already recorded {'on this item' if agenda_item else 'at this meeting'}; "
                f"{what} must be recorded before the decisions that rest on it. Rescind and record the decision "
                "again if something was missed."
            }
        )


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    person: Person,
    status: str,
    deputy: Person | None = None,
    voting: bool | None = None,
    note: str = "",
) -> Attendance:
    """Record (or correct) a person's attendance; whether the seat votes comes from their appointment in force."""
    meeting = Meeting.objects.select_for_update().select_related("body").order_by().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": "The meeting was cancelled; no one attended it."})
    _refuse_if_decided(meeting, None, "attendance")
    appointment = (
        Appointment.objects.in_force(meeting.meeting_date)
        .filter(body=meeting.body, person=person)
        .order_by("-voting", "role", "id")
        .first()
    )
    if voting is None:
        voting = bool(appointment and appointment.voting)
    elif voting and not (appointment and appointment.voting):
        raise ValidationError(
            {
                "voting": f"{person.name} holds no voting appointment on {meeting.body.name} on {_day(meeting.meeting_date)}."
            }
        )
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first() or Attendance(
        meeting=meeting, person=person
    )
    attendance.status = status
    attendance.deputy = deputy
    attendance.appointment = appointment
    attendance.voting = voting
    attendance.note = note
    attendance.full_clean()
    attendance.save()
    return attendance


@transaction.atomic
def declaration_record(
    *,
    meeting: Meeting,
    person: Person,
    management: str,
    nature: str = "",
    agenda_item: AgendaItem | None = None,
    interest: Interest | None = None,
    managed_by: Person | None = None,
    minute_reference: str = "",
    source_document: str = "",
    source_reference: str = "",
    source_url: str = "",
) -> Declaration:
    """Record an interest declared at a meeting and how the chair managed it (Cambridgeshire 9.13)."""
    meeting = Meeting.objects.select_for_update().select_related("body").order_by().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": "The meeting was cancelled."})
    in_the_room = meeting.attendances.filter(status__in=Attendance.IN_THE_ROOM)
    if not (in_the_room.filter(person=person).exclude(status=Attendance.Status.REPRESENTED_BY_DEPUTY).exists()
            or in_the_room.filter(deputy=person).exists()):  # fmt: skip
        raise ValidationError(
            {
                "person": f"{person.name} is not recorded as attending this meeting; record the attendance first."
            }
        )
    _refuse_if_decided(meeting, agenda_item, "declarations of interest")
    if interest is not None and not nature:
        nature = interest.description
    if managed_by is None:
        chair = chair_as_at(meeting.body, meeting.meeting_date)
        managed_by = chair.person if chair else None
    declaration = Declaration(
        meeting=meeting,
        agenda_item=agenda_item,
        person=person,
        interest=interest,
        nature=nature,
        management=management,
        managed_by=managed_by,
        minute_reference=minute_reference,
        source_document=source_document,
        source_reference=source_reference,
        source_url=source_url,
    )
    declaration.full_clean()
    declaration.save()
    return declaration


@transaction.atomic
def declaration_rescind(
    *, declaration: Declaration, reason: str, rescinded_on: datetime.date | None = None
) -> Declaration:
    """Mark a mistaken declaration rescinded, with the reason; it is never deleted."""
    meeting = Meeting.objects.select_for_update().order_by().get(pk=declaration.meeting_id)
    declaration = Declaration.objects.select_for_update().order_by().get(pk=declaration.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the declaration is rescinded."})
    if declaration.rescinded_on is not None:
        if declaration.rescission_reason == reason:
            return declaration
        raise ValidationError({"reason": f"It was already rescinded on {_day(declaration.rescinded_on)}."})
    _refuse_if_decided(meeting, declaration.agenda_item, "a change to the declarations")
    declaration.rescinded_on = rescinded_on or today()
    declaration.rescission_reason = reason
    declaration.full_clean()
    declaration.save()
    return declaration


@transaction.atomic
def meeting_cycle_plan(
    *,
    body: Body,
    first_starts_at: datetime.datetime,
    until: datetime.date,
    place: str = "",
    frequency: str | None = None,
) -> list[Meeting]:
    """Plan the body's cycle of business: scheduled meetings at the frequency its terms of reference set.

    Idempotent: a meeting already planned at a time is kept, not duplicated. Returns the new meetings.
    """
    Body.objects.select_for_update().order_by().get(pk=body.pk)
    if body.partnership_id is None:
        raise ValidationError({"body": "Meetings are recorded for the partnership's bodies."})
    try:
        if timezone.is_naive(first_starts_at):
            first_starts_at = timezone.make_aware(first_starts_at)
        first_local = timezone.localtime(first_starts_at)
    except (OverflowError, ValueError):
        raise ValidationError({"first_starts_at": "Give a date and time within the calendar."}) from None
    if until < first_local.date():
        raise ValidationError({"until": "The cycle must end after its first meeting."})
    if frequency is None:
        terms = terms_of_reference_as_at(body, first_local.date())
        frequency = terms.meeting_frequency if terms else ""
    step = FREQUENCY_STEP.get(frequency)
    if step is None:
        raise ValidationError(
            {
                "frequency": "Give a regular meeting frequency (the terms of reference in force set none, or “as required”)."
            }
        )
    naive_first = timezone.make_naive(first_local)
    existing = set(Meeting.objects.filter(body=body).values_list("starts_at", flat=True))
    created: list[Meeting] = []
    for n in range(MAX_PLANNED_MEETINGS + 1):
        try:
            starts_at = timezone.make_aware(naive_first + step * n)
        except (OverflowError, ValueError):
            break  # past the last representable day
        if starts_at.date() > until:
            break
        if n == MAX_PLANNED_MEETINGS:
            raise ValidationError({"until": f"Plan at most {MAX_PLANNED_MEETINGS} meetings at a time."})
        if starts_at in existing:
            continue
        meeting = Meeting(body=body, starts_at=starts_at, place=place, status=Meeting.Status.SCHEDULED)
        meeting.full_clean()
        meeting.save()
        created.append(meeting)
    return created


# -- proposals ----------------------------------------------------------------------------
@transaction.atomic
def proposal_create(
    *,
    partnership,
    title: str,
    category: str,
    description: str = "",
    amount_gbp: Decimal | None = None,
    sponsor_organisation: Organisation | None = None,
    sro: Person | None = None,
    source_document: str = "",
    source_reference: str = "",
    source_url: str = "",
) -> Proposal:
    """Start a proposal on the partnership's approval route for its category."""
    route = ApprovalRoute.objects.filter(partnership=partnership, category=category).first()
    if route is None:
        raise ValidationError(
            {"category": f"{partnership} has no approval route for this category of proposal."}
        )
    proposal = Proposal(
        partnership=partnership,
        title=title,
        category=category,
        route=route,
        description=description,
        amount_gbp=amount_gbp,
        sponsor_organisation=sponsor_organisation,
        sro=sro,
        source_document=source_document,
        source_reference=source_reference,
        source_url=source_url,
    )
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def proposal_advance(
    *,
    proposal: Proposal,
    outcome: str,
    stage: ApprovalStage | None = None,
    body: Body | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    resolution: str = "",
    minute_reference: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstaining: int | None = None,
    restricted: bool = False,
    restriction_reason: str = "",
    signed_off_on: datetime.date | None = None,
    signed_off_by: str = "",
    sign_off_reference: str = "",
) -> Proposal:
    """Record the outcome of the proposal's next stage.

    A stage a body of the partnership acts at is a decision of that body, authorised by the route
    stage itself. A stage acted jointly passes when every acting body has carried it. A stage no
    body acts at ("the relevant local organisation(s)") is signed off on the proposal itself.
    Carried moves the proposal on; not carried closes it as not approved; deferred leaves it where it is.
    """
    proposal = Proposal.objects.select_for_update().order_by().get(pk=proposal.pk)
    stage = _open_stage(proposal=proposal, outcome=outcome, stage=stage)
    acting = list(stage.acting_bodies.all())
    if acting:
        passed = _stage_decided(
            proposal=proposal,
            stage=stage,
            acting=acting,
            body=body,
            outcome=outcome,
            decision={
                "meeting": meeting,
                "agenda_item": agenda_item,
                "resolution": resolution or f"{stage.name}: {proposal.title}",
                "minute_reference": minute_reference,
                "votes_for": votes_for,
                "votes_against": votes_against,
                "votes_abstaining": votes_abstaining,
                "restricted": restricted,
                "restriction_reason": restriction_reason,
            },
        )
    else:
        passed = _stage_signed_off(
            proposal=proposal,
            stage=stage,
            outcome=outcome,
            signed_off_on=signed_off_on,
            signed_off_by=signed_off_by,
            sign_off_reference=sign_off_reference,
        )
    if passed:
        proposal.stage_reached = stage.position
        if next_stage_of(proposal) is None:
            proposal.status = Proposal.Status.APPROVED
    elif outcome == Decision.Outcome.NOT_CARRIED:
        proposal.status = Proposal.Status.NOT_APPROVED
    proposal.full_clean()
    proposal.save()
    return proposal


def _open_stage(*, proposal: Proposal, outcome: str, stage: ApprovalStage | None) -> ApprovalStage:
    """The proposal's next stage, refusing a closed proposal, an unknown outcome or a stage out of turn."""
    if proposal.status != Proposal.Status.IN_PROGRESS:
        raise ValidationError(
            {"proposal": f"The proposal is {proposal.get_status_display().lower()}; no stage is open."}
        )
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": f"Choose one of: {', '.join(Decision.Outcome.values)}."})
    expected = next_stage_of(proposal)
    if expected is None:
        raise ValidationError({"stage": "Every stage of the route has been passed."})
    if stage is not None and stage.pk != expected.pk:
        raise ValidationError(
            {
                "stage": f"The proposal is at stage {expected.position} “{expected.name}”; stage {stage.position} cannot be taken before it."
            }
        )
    return expected


def _stage_decided(
    *,
    proposal: Proposal,
    stage: ApprovalStage,
    acting: list[Body],
    body: Body | None,
    outcome: str,
    decision: dict,
) -> bool:
    """A decision of an acting body at the stage; whether the stage has passed (every acting body
    carried it, when acted jointly)."""
    if body is None:
        raise ValidationError({"body": f"Give the body acting at stage {stage.position} “{stage.name}”."})
    if body not in acting:
        names = " and ".join(b.name for b in acting)
        raise ValidationError(
            {"body": f"Stage {stage.position} “{stage.name}” is taken by {names}, not by {body.name}."}
        )
    if stage.jointly:
        already = proposal.decisions.standing().filter(
            approval_stage=stage, body=body, outcome=Decision.Outcome.CARRIED
        )
        if already.exists():
            raise ValidationError(
                {"body": f"{body.name} has already carried this stage; the other acting bodies must too."}
            )
    decision_record(
        body=body,
        approval_stage=stage,
        proposal=proposal,
        power=stage.power,
        amount_gbp=proposal.amount_gbp,
        outcome=outcome,
        **decision,
    )
    if outcome != Decision.Outcome.CARRIED:
        return False
    carried_by = set(
        proposal.decisions.standing()
        .filter(approval_stage=stage, outcome=Decision.Outcome.CARRIED)
        .values_list("body_id", flat=True)
    )
    return not stage.jointly or carried_by >= {b.pk for b in acting}


def _stage_signed_off(
    *,
    proposal: Proposal,
    stage: ApprovalStage,
    outcome: str,
    signed_off_on: datetime.date | None,
    signed_off_by: str,
    sign_off_reference: str,
) -> bool:
    """A stage no body acts at, signed off on the proposal itself; whether it has passed."""
    who = stage.acting_organisations_note or "the relevant local organisation(s)"
    if not signed_off_by.strip() or signed_off_on is None:
        raise ValidationError(
            {
                "signed_off_by": f"Stage {stage.position} “{stage.name}” is taken by {who}: say which signed it off, and when."
            }
        )
    if outcome != Decision.Outcome.CARRIED:
        return False
    proposal.signed_off_on = signed_off_on
    proposal.signed_off_by = signed_off_by.strip()
    proposal.sign_off_reference = sign_off_reference
    return True

"""Workflows of the risk registers: each is atomic and called alike by the admin, the API and the seed.

Change a partnership's matrix (re-banding its risks), record a review, escalate a risk up the
reporting lines, answer an escalation, and hand an accepted risk back down.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction

from bodies.models import Body, Membership, Partnership, Person
from core import webhooks
from decisions.models import Meeting
from risks.models import Risk, RiskEscalation, RiskRegister, RiskReview, ScoringMatrix
from risks.queries import escalation_targets, holding_escalation


@transaction.atomic
def scoring_matrix_change(*, matrix: ScoringMatrix) -> ScoringMatrix:
    """Save a partnership's matrix (new or changed) and re-band every risk of the partnership.

    `matrix` carries the new settings. Its validation refuses a scale narrower than levels the
    partnership's risks are scored at. The re-banding is one UPDATE; the audit triggers record
    both the matrix's change and each risk whose band or tolerable score moved.
    """
    # Lock the partnership's risks, then the partnership itself (against which every risk save takes
    # a share lock before reading the matrix): no risk is banded on the old matrix meanwhile.
    list(Risk.objects.select_for_update().filter(partnership_id=matrix.partnership_id).values_list("pk"))
    list(Partnership.objects.select_for_update().filter(pk=matrix.partnership_id).values_list("pk"))
    matrix.full_clean()
    matrix.save()
    Risk.objects.filter(partnership_id=matrix.partnership_id).update(
        inherent_band=matrix.band_case("inherent_score"),
        current_band=matrix.band_case("current_score"),
        target_band=matrix.band_case("target_score"),
        tolerable_score=matrix.tolerable_case(),
    )
    return matrix


def risk_review_check(
    *, risk: Risk, reviewed_on: datetime.date, next_review_due: datetime.date | None = None
) -> None:
    """Refuse a review of a risk that is not open, one before the risk was identified, or one whose
    next review would not fall after it."""
    if risk.status != Risk.Status.OPEN:
        raise ValidationError(
            {
                "risk": f"{risk.reference} is {risk.get_status_display().lower()}: only open risks are reviewed."
            }
        )
    if risk.identified_on and reviewed_on < risk.identified_on:
        raise ValidationError(
            {"reviewed_on": f"{risk.reference} was identified on {risk.identified_on:%-d %B %Y}; "
             "a review cannot precede that."}
        )  # fmt: skip
    if next_review_due is not None and next_review_due <= reviewed_on:
        raise ValidationError({"next_review_due": "The next review must fall after this one."})


@transaction.atomic
def risk_review_record(
    *,
    risk: Risk,
    reviewed_on: datetime.date,
    current_likelihood: int | None = None,
    current_consequence: int | None = None,
    target_likelihood: int | None = None,
    target_consequence: int | None = None,
    reviewer: Person | None = None,
    meeting: Meeting | None = None,
    note: str = "",
    next_review_due: datetime.date | None = None,
) -> RiskReview:
    """Record a review with the scores as they stand on the day (unchanged ones carried over).

    The latest review sets the risk's current and target scores, when it was last reviewed and
    when it is next due (given, or a review interval of its register after this one).
    """
    risk = Risk.objects.select_for_update(of=("self",)).select_related("register").get(pk=risk.pk)
    risk_review_check(risk=risk, reviewed_on=reviewed_on, next_review_due=next_review_due)
    review = RiskReview(
        risk=risk,
        reviewed_on=reviewed_on,
        reviewer=reviewer,
        meeting=meeting,
        note=note,
        current_likelihood=_given(current_likelihood, risk.current_likelihood),
        current_consequence=_given(current_consequence, risk.current_consequence),
        target_likelihood=_given(target_likelihood, risk.target_likelihood),
        target_consequence=_given(target_consequence, risk.target_consequence),
    )
    review.full_clean()
    review.save()

    if risk.last_reviewed_on is None or reviewed_on >= risk.last_reviewed_on:
        for name in ("current_likelihood", "current_consequence", "target_likelihood", "target_consequence"):
            setattr(risk, name, getattr(review, name))
        risk.last_reviewed_on = reviewed_on
        risk.next_review_due = next_review_due or reviewed_on + relativedelta(
            months=risk.register.review_interval_months
        )
        risk.full_clean()
        risk.save()
    return review


def _given(value: int | None, unchanged: int) -> int:
    return unchanged if value is None else value


def risk_escalation_check(*, risk: Risk, to_body: Body, escalated_on: datetime.date) -> RiskEscalation | None:
    """Refuse, naming where the risk may go, an escalation the reporting lines do not allow.

    Returns the accepted escalation under which the risk is held above its own register (the
    next escalation starts from that body), or None when it is held in its own register.
    """
    if risk.status != Risk.Status.OPEN:
        raise ValidationError(
            {
                "risk": f"{risk.reference} is {risk.get_status_display().lower()}: only open risks are escalated."
            }
        )
    if risk.escalations.filter(response=RiskEscalation.Response.PENDING).exists():
        raise ValidationError(
            {"risk": f"{risk.reference} is already escalated and awaiting a response; wait for the answer."}
        )
    holder = holding_escalation(risk)
    if holder is not None:
        if escalated_on < holder.responded_on:
            raise ValidationError(
                {"escalated_on": f"{holder.to_body.name} accepted the risk on {holder.responded_on:%-d %B %Y}; "
                 "a further escalation cannot precede that."}
            )  # fmt: skip
        _check_reporting_line(holder.to_body, to_body, escalated_on)
    elif risk.register.body_id:
        _check_reporting_line(risk.register.body, to_body, escalated_on)
    else:
        _check_partnership_level(risk.register, to_body, escalated_on)
    return holder


@transaction.atomic
def risk_escalate(*, risk: Risk, to_body: Body, escalated_on: datetime.date, reason: str) -> RiskEscalation:
    """Escalate a risk from where it is held to a body up the reporting lines.

    From a body's register: to a body it "escalates risks to" on the day, or, when it has no
    such relationship, one it "reports to". From an organisation's register: to a body of the
    partnership, while the organisation is a member. Anything else is refused
    (`risk_escalation_check`). A risk a body has accepted escalates further from that body.
    """
    risk = (
        Risk.objects.select_for_update(of=("self",))
        .select_related("register__body", "register__organisation")
        .get(pk=risk.pk)
    )
    holder = risk_escalation_check(risk=risk, to_body=to_body, escalated_on=escalated_on)
    from_register = _register_of(holder.to_body, risk) if holder is not None else risk.register
    escalation = RiskEscalation(
        risk=risk, from_register=from_register, to_body=to_body, escalated_on=escalated_on, reason=reason
    )
    escalation.full_clean()
    escalation.save()
    webhooks.record_event(event_type=webhooks.RISK_ESCALATED, record=escalation)
    return escalation


def _register_of(body: Body, risk: Risk) -> RiskRegister:
    """The register of a body that accepted the risk (every group keeps one: made if missing)."""
    register = RiskRegister.objects.filter(partnership_id=risk.partnership_id, body=body).first()
    if register is None:
        register = RiskRegister(partnership_id=risk.partnership_id, body=body)
        register.full_clean()
        register.save()
    return register


def _check_reporting_line(from_body: Body, to_body: Body, on: datetime.date) -> None:
    targets, kind = escalation_targets(from_body, on)
    if to_body in targets:
        return
    if not targets:
        raise ValidationError(
            {"to_body": f"{from_body.name} has no “escalates risks to” or “reports to” relationship in force on "
             f"{on:%-d %B %Y}, so it cannot escalate risks. Record the relationship first."}
        )  # fmt: skip
    names = ", ".join(body.name for body in targets)
    raise ValidationError(
        {"to_body": f"{from_body.name} does not escalate risks to {to_body.name}: on {on:%-d %B %Y} it "
         f"{'escalates risks to' if kind == 'escalates_risks_to' else 'reports to'} {names}."}
    )  # fmt: skip


def _check_partnership_level(register: RiskRegister, to_body: Body, on: datetime.date) -> None:
    organisation = register.organisation
    if to_body.partnership_id != register.partnership_id:
        raise ValidationError(
            {"to_body": f"{organisation.name} escalates its risks to the partnership: choose a body of "
             f"{register.partnership}."}
        )  # fmt: skip
    if not Body.objects.in_force(on).filter(pk=to_body.pk).exists():
        raise ValidationError({"to_body": f"{to_body.name} is not in force on {on:%-d %B %Y}."})
    member = (
        Membership.objects.in_force(on)
        .filter(partnership_id=register.partnership_id, organisation=organisation)
        .exclude(status=Membership.Status.WITHDRAWN)
        .exists()
    )
    if not member:
        raise ValidationError(
            {
                "escalated_on": f"{organisation.name} is not a member of {register.partnership} on {on:%-d %B %Y}."
            }
        )


@transaction.atomic
def risk_escalation_respond(
    *, escalation: RiskEscalation, response: str, responded_on: datetime.date, response_note: str = ""
) -> RiskEscalation:
    """The receiving body's answer: accept the risk, or return it to its register with advice."""
    escalation = RiskEscalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.response != RiskEscalation.Response.PENDING:
        raise ValidationError(
            {"response": f"This escalation was already answered ({escalation.get_response_display().lower()} "
             f"on {escalation.responded_on:%-d %B %Y})."}
        )  # fmt: skip
    if response not in (RiskEscalation.Response.ACCEPTED, RiskEscalation.Response.RETURNED):
        raise ValidationError({"response": "Answer with accepted, or returned (with advice)."})
    if response == RiskEscalation.Response.RETURNED and not response_note.strip():
        raise ValidationError({"response_note": "Give the advice the risk is returned with."})
    if responded_on < escalation.escalated_on:
        raise ValidationError(
            {"responded_on": f"The risk was escalated on {escalation.escalated_on:%-d %B %Y}; "
             "the response cannot precede it."}
        )  # fmt: skip
    escalation.response = response
    escalation.responded_on = responded_on
    escalation.response_note = response_note
    escalation.full_clean()
    escalation.save()
    return escalation


@transaction.atomic
def risk_escalation_de_escalate(
    *, escalation: RiskEscalation, de_escalated_on: datetime.date, de_escalation_note: str = ""
) -> RiskEscalation:
    """Hand an accepted risk back to the register it came from."""
    escalation = RiskEscalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.response != RiskEscalation.Response.ACCEPTED:
        raise ValidationError(
            {"de_escalated_on": "Only an accepted escalation is de-escalated; this one is "
             f"{escalation.get_response_display().lower()}."}
        )  # fmt: skip
    if escalation.de_escalated_on is not None:
        raise ValidationError(
            {"de_escalated_on": f"Already de-escalated on {escalation.de_escalated_on:%-d %B %Y}."}
        )
    if de_escalated_on < escalation.responded_on:
        raise ValidationError(
            {"de_escalated_on": f"It was accepted on {escalation.responded_on:%-d %B %Y}; "
             "it cannot be handed back before that."}
        )  # fmt: skip
    above = (
        RiskEscalation.objects.filter(risk_id=escalation.risk_id, from_register__body=escalation.to_body)
        .exclude(response=RiskEscalation.Response.RETURNED)
        .filter(de_escalated_on__isnull=True, escalated_on__gte=escalation.escalated_on)
        .select_related("to_body")
        .first()
    )
    if above is not None:
        raise ValidationError(
            {"de_escalated_on": f"{escalation.to_body.name} has escalated the risk further, to "
             f"{above.to_body.name} ({above.get_response_display().lower()}): that escalation ends first."}
        )  # fmt: skip
    escalation.de_escalated_on = de_escalated_on
    escalation.de_escalation_note = de_escalation_note
    escalation.full_clean()
    escalation.save()
    return escalation

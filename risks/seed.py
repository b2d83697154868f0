"""Loading risk registers from `fixtures/risks/*.yaml` (after the partnerships).

Same rules as the other seed files: natural keys, writes only what differs, every problem
reported together and nothing half-loaded. The documents contain no real risks, so these files
are illustrative: a file says `illustrative: true` and the loader marks every record's narrative
with ILLUSTRATIVE. Matrix changes and escalations go through `risks.services`, so the demo data
obeys the same rules (re-banding, reporting lines) as the secretariat does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bodies.models import Partnership
from bodies.seeding import (
    SeedAbort,
    SeedLoader,
    SeedReport,
    illustrative_marker,
    load_partnership_seed_files,
    parse_date,
    seed_body,
    seed_organisation,
    seed_partnership,
    source_fields,
)
from decisions.models import Meeting
from risks import services
from risks.models import Risk, RiskAction, RiskEscalation, RiskRegister, RiskReview, ScoringMatrix

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "risks"
ILLUSTRATIVE = "Illustrative example: the source documents contain no real risks."

MATRIX_KEYS = {
    "likelihood_scale", "consequence_scale", "likelihood_labels", "consequence_labels", "low_max",
    "moderate_max", "high_max", "tolerable_averse", "tolerable_minimal", "tolerable_cautious", "tolerable_open",
    "tolerable_eager", "note",
}  # fmt: skip
ALLOWED_KEYS = {
    "file": {"partnership", "illustrative", "scoring_matrix", "registers", "escalations"},
    "matrix": MATRIX_KEYS | {"source"},
    "register": {"body", "organisation", "review_interval_months", "note", "risks", "source"},
    "risk": {
        "reference", "title", "description", "cause", "effect", "category", "owner_title", "lead_organisation",
        "inherent", "current", "target", "appetite", "controls", "gaps_in_control", "assurances", "status",
        "identified_on", "closed_on", "next_review_due", "reviews", "actions", "source",
    },
    "review": {"reviewed_on", "at_meeting", "current", "target", "note"},
    "action": {"description", "owner_title", "due_on", "status", "completed_on"},
    "escalation": {
        "risk", "to_body", "escalated_on", "reason", "response", "responded_on", "response_note",
        "de_escalated_on", "de_escalation_note",
    },
    "source": {"document", "reference", "url"},
}  # fmt: skip


def load_risk_seed(paths: Iterable[Path] | None = None, *, report: SeedReport | None = None) -> SeedReport:
    return load_partnership_seed_files(
        folder="risks",
        paths=list(paths) if paths is not None else sorted(SEED_DIR.glob("*.yaml")),
        allowed_keys=ALLOWED_KEYS,
        load_file=_load_file,
        report=report,
    )


def _load_file(loader: SeedLoader, file: str, data: dict) -> None:
    partnership = seed_partnership(loader, file, data)
    mark = illustrative_marker(ILLUSTRATIVE, bool(data.get("illustrative")))
    if data.get("scoring_matrix"):
        _load_matrix(loader, f"{file}: scoring_matrix", partnership, data["scoring_matrix"], mark)

    risks: dict[str, Risk] = {}
    for index, r in enumerate(data.get("registers") or []):
        where = f"{file}: registers[{index}]"
        loader.check_keys(where, "register", r)
        register = loader.upsert(
            RiskRegister,
            {
                "partnership": partnership,
                "body": seed_body(loader, partnership, r.get("body"), where),
                "organisation": seed_organisation(loader, r.get("organisation"), where),
            },
            {
                "review_interval_months": r.get("review_interval_months") or 1,
                "note": mark(r.get("note")),
                **source_fields(r.get("source")),
            },
            where,
        )
        for r_index, risk_data in enumerate(r.get("risks") or []):
            risk = _load_risk(loader, f"{where}.risks[{r_index}]", register, risk_data, mark)
            risks[risk.reference] = risk

    for index, e in enumerate(data.get("escalations") or []):
        where = f"{file}: escalations[{index}]"
        loader.check_keys(where, "escalation", e)
        risk = risks.get(e.get("risk"))
        if risk is None:
            loader.problems.append(f"{where}: unknown risk '{e.get('risk')}'")
            raise SeedAbort
        _load_escalation(loader, where, partnership, risk, e, mark)
    if loader.problems:
        raise SeedAbort


def _levels(loader: SeedLoader, value, kind: str, where: str) -> dict[str, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        loader.problems.append(f"{where}: {kind} must be [likelihood, consequence]")
        raise SeedAbort
    return {f"{kind}_likelihood": value[0], f"{kind}_consequence": value[1]}


def _load_matrix(loader: SeedLoader, where: str, partnership: Partnership, data: dict, mark) -> None:
    loader.check_keys(where, "matrix", data)
    matrix = ScoringMatrix.for_partnership(partnership.pk)
    values = {key: data[key] for key in MATRIX_KEYS if key in data}
    values["note"] = mark(data.get("note"))
    values.update(source_fields(data.get("source")))
    changed = matrix.pk is None
    for name, value in values.items():
        if getattr(matrix, name) != value:
            setattr(matrix, name, value)
            changed = True
    if not changed:
        return
    created = matrix.pk is None
    loader.through_service(where, lambda: services.scoring_matrix_change(matrix=matrix))
    loader.report.count(ScoringMatrix, created=created)


def _load_risk(loader, where: str, register: RiskRegister, r: dict, mark) -> Risk:
    loader.check_keys(where, "risk", r)
    reviews = r.get("reviews") or []
    review_dates = [parse_date(review.get("reviewed_on")) for review in reviews]
    risk = loader.upsert(
        Risk,
        {"register": register, "reference": r["reference"]},
        {
            "title": r["title"],
            "description": mark(r.get("description")),
            "cause": r.get("cause") or "",
            "effect": r.get("effect") or "",
            "category": r.get("category") or "",
            "owner_title": r.get("owner_title") or "",
            "lead_organisation": seed_organisation(loader, r.get("lead_organisation"), where),
            **_levels(loader, r.get("inherent"), "inherent", where),
            **_levels(loader, r.get("current"), "current", where),
            **_levels(loader, r.get("target"), "target", where),
            "appetite": r.get("appetite") or "cautious",
            "controls": r.get("controls") or "",
            "gaps_in_control": r.get("gaps_in_control") or "",
            "assurances": r.get("assurances") or "",
            "status": r.get("status") or Risk.Status.OPEN,
            "identified_on": parse_date(r.get("identified_on")),
            "closed_on": parse_date(r.get("closed_on")),
            "last_reviewed_on": max(filter(None, review_dates), default=None),
            "next_review_due": parse_date(r.get("next_review_due")),
            **source_fields(r.get("source")),
        },
        where,
    )
    for index, review in enumerate(reviews):
        review_where = f"{where}.reviews[{index}]"
        loader.check_keys(review_where, "review", review)
        loader.upsert(
            RiskReview,
            {"risk": risk, "reviewed_on": parse_date(review.get("reviewed_on"))},
            {
                "meeting": _review_meeting(loader, register, review, review_where),
                "note": mark(review.get("note")),
                **_levels(loader, review.get("current"), "current", review_where),
                **_levels(loader, review.get("target"), "target", review_where),
            },
            review_where,
        )
    for index, action in enumerate(r.get("actions") or []):
        action_where = f"{where}.actions[{index}]"
        loader.check_keys(action_where, "action", action)
        loader.upsert(
            RiskAction,
            {"risk": risk, "description": mark(action.get("description"))},
            {
                "owner_title": action.get("owner_title") or "",
                "due_on": parse_date(action.get("due_on")),
                "status": action.get("status") or RiskAction.Status.PLANNED,
                "completed_on": parse_date(action.get("completed_on")),
            },
            action_where,
        )
    return risk


def _load_escalation(loader, where: str, partnership, risk: Risk, e: dict, mark) -> None:
    """Escalate, answer and de-escalate through the services; an escalation already loaded is kept."""
    to_body = seed_body(loader, partnership, e.get("to_body"), where)
    escalated_on = parse_date(e.get("escalated_on"))
    reason = mark(e.get("reason"))
    response = e.get("response") or RiskEscalation.Response.PENDING
    escalation = RiskEscalation.objects.filter(risk=risk, to_body=to_body, escalated_on=escalated_on).first()
    if escalation is None:
        escalation = loader.through_service(
            where,
            lambda: services.risk_escalate(
                risk=risk, to_body=to_body, escalated_on=escalated_on, reason=reason
            ),
        )
        loader.report.count(RiskEscalation, created=True)
    elif escalation.reason != reason:
        escalation.reason = reason
        escalation.save(update_fields=["reason"])
        loader.report.count(RiskEscalation, created=False)

    if response == escalation.response and response != RiskEscalation.Response.PENDING:
        answered = (parse_date(e.get("responded_on")), e.get("response_note") or "")
        if answered != (escalation.responded_on, escalation.response_note):
            loader.problems.append(
                f"{where}: the escalation was already answered; an answer is not rewritten"
            )
            raise SeedAbort
    if response != escalation.response:
        if escalation.response != RiskEscalation.Response.PENDING:
            loader.problems.append(
                f"{where}: the escalation was already answered ({escalation.response}); an answer is not rewritten"
            )
            raise SeedAbort
        escalation = loader.through_service(
            where,
            lambda: services.risk_escalation_respond(
                escalation=escalation,
                response=response,
                responded_on=parse_date(e.get("responded_on")),
                response_note=e.get("response_note") or "",
            ),
        )
        loader.report.count(RiskEscalation, created=False)
    de_escalated_on = parse_date(e.get("de_escalated_on"))
    if de_escalated_on and escalation.de_escalated_on is None:
        loader.through_service(
            where,
            lambda: services.risk_escalation_de_escalate(
                escalation=escalation,
                de_escalated_on=de_escalated_on,
                de_escalation_note=e.get("de_escalation_note") or "",
            ),
        )
        loader.report.count(RiskEscalation, created=False)


def _review_meeting(loader: SeedLoader, register: RiskRegister, review: dict, where: str) -> Meeting | None:
    """`at_meeting: true`: reviewed at the register's body's meeting that day (from fixtures/decisions)."""
    if not review.get("at_meeting"):
        return None
    on = parse_date(review.get("reviewed_on"))
    meeting = (
        Meeting.objects.filter(body=register.body_id, starts_at__date=on)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .first()
        if register.body_id
        else None
    )
    if meeting is None:
        loader.problems.append(f"{where}: no meeting of the register's body on {on} (see fixtures/decisions)")
        raise SeedAbort
    return meeting

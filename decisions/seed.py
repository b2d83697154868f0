"""Loading meetings, decisions, ratifications and proposals from `fixtures/decisions/*.yaml`.

Runs after the partnerships and their schemes of delegation, and before the risk registers
(whose reviews are minuted at these meetings). The documents record no meetings or decisions,
so these files are illustrative: a file says `illustrative: true` and every narrative field is
marked. Decisions, ratifications and proposal stages go through `decisions.services`, so the
demo data passes the same authority, quorum and ratification rules as the secretariat's own;
a record already loaded (found by its natural key) is left alone, so loading twice adds nothing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from bodies.models import Body, Organisation, Partnership, Person
from bodies.seeding import (
    SeedAbort,
    SeedLoader,
    SeedReport,
    illustrative_marker,
    load_partnership_seed_files,
    mark_loaded,
    parse_date,
    seed_body,
    seed_organisation,
    seed_partnership,
)
from decisions import services
from decisions.models import Decision, Meeting, Proposal, Ratification
from delegation.models import Matter

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "decisions"
ILLUSTRATIVE = "Illustrative example: the source documents record no meetings or decisions."

ALLOWED_KEYS = {
    "file": {"partnership", "illustrative", "meetings", "decisions", "proposals"},
    "meeting": {"body", "date", "time", "place", "status", "notice_given_on", "minutes_approved_at", "title"},
    "decision": {
        "body", "meeting", "urgent", "decided_on", "matter", "power", "resolution", "outcome", "urgency_reason",
        "consulted", "minute_reference", "ratifications", "amount_gbp",
    },
    "ratification": {"organisation", "outcome", "decided_on", "minute_reference"},
    "proposal": {"title", "category", "amount_gbp", "sponsor_organisation", "sro", "description", "stages"},
    "stage": {"body", "meeting", "minute_reference"},
    "source": {"document", "reference", "url"},
}  # fmt: skip


def load_decisions_seed(
    paths: Iterable[Path] | None = None, *, report: SeedReport | None = None
) -> SeedReport:
    return load_partnership_seed_files(
        folder="decisions",
        paths=list(paths) if paths is not None else sorted(SEED_DIR.glob("*.yaml")),
        allowed_keys=ALLOWED_KEYS,
        load_file=_load_file,
        report=report,
    )


def meeting_start(date: datetime.date, time: str = "10:00") -> datetime.datetime:
    """A meeting's start in the registry's time zone (the documents' times are local)."""
    hours, minutes = (int(part) for part in str(time).split(":"))
    return datetime.datetime(
        date.year, date.month, date.day, hours, minutes, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


class _File:
    """One file's loading: its partnership, its marker and the meetings it declared."""

    def __init__(self, loader: SeedLoader, file: str, data: dict):
        self.loader = loader
        self.file = file
        self.partnership: Partnership = seed_partnership(loader, file, data)
        self.illustrative = bool(data.get("illustrative"))
        self.mark = illustrative_marker(ILLUSTRATIVE, self.illustrative, mark_empty=False)

    def problem(self, where: str, message: str):
        self.loader.problems.append(f"{where}: {message}")
        raise SeedAbort

    def body(self, slug: str | None, where: str) -> Body:
        return seed_body(self.loader, self.partnership, slug, where) or self.problem(where, "name the body")

    def organisation(self, slug: str | None, where: str) -> Organisation | None:
        return seed_organisation(self.loader, slug, where)

    def meeting(self, body: Body, date, where: str) -> Meeting:
        on = parse_date(date)
        meeting = (
            Meeting.objects.filter(body=body, starts_at__date=on, source_reference=self.file)
            .order_by("starts_at")
            .first()
        )
        return meeting or self.problem(where, f"no meeting of {body.name} on {on} is declared in this file")

    def service(self, where: str, call, **kwargs):
        return self.loader.through_service(where, lambda: call(**kwargs))


def _load_file(loader: SeedLoader, file: str, data: dict) -> None:
    seed = _File(loader, file, data)
    for index, m in enumerate(data.get("meetings") or []):
        _load_meeting(seed, f"{file}: meetings[{index}]", m)
    for index, m in enumerate(data.get("meetings") or []):
        if m.get("minutes_approved_at"):
            where = f"{file}: meetings[{index}]"
            body = seed.body(m.get("body"), where)
            meeting = seed.meeting(body, m.get("date"), where)
            later = seed.meeting(body, m["minutes_approved_at"], where)
            loader.upsert(Meeting, {"pk": meeting.pk}, {"minutes_approved_at": later}, where)
    for index, d in enumerate(data.get("decisions") or []):
        _load_decision(seed, f"{file}: decisions[{index}]", d)
    for index, p in enumerate(data.get("proposals") or []):
        _load_proposal(seed, f"{file}: proposals[{index}]", p)
    if loader.problems:
        raise SeedAbort


def _load_meeting(seed: _File, where: str, m: dict) -> Meeting:
    seed.loader.check_keys(where, "meeting", m)
    body = seed.body(m.get("body"), where)
    on = parse_date(m.get("date"))
    return seed.loader.upsert(
        Meeting,
        {"body": body, "starts_at": meeting_start(on, m.get("time") or "10:00")},
        {
            "title": m.get("title") or "",
            "place": m.get("place") or "",
            "status": m.get("status") or Meeting.Status.HELD,
            "notice_given_on": parse_date(m.get("notice_given_on")),
            "source_document": "fixtures/decisions (illustrative)" if seed.illustrative else "",
            "source_reference": seed.file,
        },
        where,
    )


def _load_decision(seed: _File, where: str, d: dict) -> Decision:
    seed.loader.check_keys(where, "decision", d)
    body = seed.body(d.get("body"), where)
    minute_reference = d.get("minute_reference") or seed.problem(where, "give a minute_reference (its key)")
    decision = Decision.objects.filter(body=body, minute_reference=minute_reference).first()
    if decision is None:
        urgent = bool(d.get("urgent"))
        matter = Matter.objects.filter(partnership=seed.partnership, slug=d.get("matter")).first()
        if matter is None:
            seed.problem(where, f"unknown matter '{d.get('matter')}'")
        decision = seed.service(
            where,
            services.decision_record,
            body=body,
            meeting=None if urgent else seed.meeting(body, d.get("meeting"), where),
            urgent=urgent,
            decided_on=parse_date(d.get("decided_on")),
            matter=matter,
            power=d.get("power") or "approve",
            resolution=seed.mark(d.get("resolution")),
            outcome=d.get("outcome") or Decision.Outcome.CARRIED,
            urgency_reason=seed.mark(d.get("urgency_reason")),
            consulted=d.get("consulted") or (),
            amount_gbp=Decimal(str(d["amount_gbp"])) if d.get("amount_gbp") is not None else None,
            minute_reference=minute_reference,
            source_document="fixtures/decisions (illustrative)" if seed.illustrative else "",
            source_reference=seed.file,
        )
        seed.loader.report.count(Decision, created=True)
    else:
        mark_loaded(d, keep=("ratifications",))  # loaded before, from these same keys
    for index, r in enumerate(d.get("ratifications") or []):
        r_where = f"{where}.ratifications[{index}]"
        seed.loader.check_keys(r_where, "ratification", r)
        organisation = seed.organisation(r.get("organisation"), r_where)
        ratification = Ratification.objects.filter(decision=decision, organisation=organisation).first()
        if ratification is None:
            seed.problem(r_where, f"{organisation} is not asked to ratify this decision")
        if ratification.outcome == Ratification.Outcome.PENDING:
            seed.service(
                r_where,
                services.ratification_record,
                ratification=ratification,
                outcome=r.get("outcome"),
                decided_on=parse_date(r.get("decided_on")),
                minute_reference=r.get("minute_reference") or "",
            )
            seed.loader.report.count(Ratification, created=False)
        else:
            mark_loaded(r)  # recorded on an earlier load
    return decision


def _load_proposal(seed: _File, where: str, p: dict) -> Proposal:
    seed.loader.check_keys(where, "proposal", p)
    title = seed.mark(p.get("title"))
    proposal = Proposal.objects.filter(partnership=seed.partnership, title=title).first()
    if proposal is None:
        sro = None
        if p.get("sro"):
            sro, _ = Person.objects.get_or_create(name=seed.mark(p["sro"]) if seed.illustrative else p["sro"])
        proposal = seed.service(
            where,
            services.proposal_create,
            partnership=seed.partnership,
            title=title,
            category=p.get("category"),
            description=seed.mark(p.get("description")),
            amount_gbp=Decimal(str(p["amount_gbp"])) if p.get("amount_gbp") is not None else None,
            sponsor_organisation=seed.organisation(p.get("sponsor_organisation"), where),
            sro=sro,
            source_document="fixtures/decisions (illustrative)" if seed.illustrative else "",
            source_reference=seed.file,
        )
        seed.loader.report.count(Proposal, created=True)
    else:
        mark_loaded(p, keep=("stages",))  # loaded before, from these same keys
    stages = p.get("stages") or []
    passed = proposal.decisions.count()
    for stage in stages[:passed]:
        mark_loaded(stage)  # stages passed on an earlier load
    for index, stage in enumerate(stages[passed:]):
        s_where = f"{where}.stages[{index}]"
        seed.loader.check_keys(s_where, "stage", stage)
        body = seed.body(stage.get("body"), s_where)
        seed.service(
            s_where,
            services.proposal_advance,
            proposal=proposal,
            outcome="carried",
            body=body,
            meeting=seed.meeting(body, stage.get("meeting"), s_where),
            minute_reference=stage.get("minute_reference") or "",
        )
        proposal.refresh_from_db()
    return proposal

"""Loading schemes of delegation from `fixtures/delegation/*.yaml` (after the partnerships).

Same rules as the partnership seed files: natural keys, writes only what differs, every
problem reported together and nothing half-loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from bodies.models import Body
from bodies.seeding import (
    SeedAbort,
    SeedLoader,
    SeedReport,
    load_partnership_seed_files,
    parse_date,
    seed_partnership,
    source_fields,
)
from delegation.models import (
    ApprovalRoute,
    ApprovalStage,
    Delegation,
    Matter,
    Power,
    Reservation,
    SchemeNote,
    UrgentDecisionRule,
)

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "delegation"

ALLOWED_KEYS = {
    "file": {
        "partnership", "effective_from", "matters", "reservations", "delegations", "approval_routes",
        "urgent_decisions", "notes", "notes_source", "effective_from_inferred",
    },
    "matter": {"slug", "name", "category", "source"},
    "reservation": {"matter", "reserved_to_kind", "reserved_to_body", "power", "source"},
    "delegation": {
        "delegator", "delegate", "delegate_office", "matter", "power", "financial_limit_gbp", "conditions",
        "further_delegation_permitted", "effective_from", "effective_to", "source",
    },
    "route": {"category", "name", "stages", "source"},
    "stage": {
        "position", "phase", "name", "acting_bodies", "jointly", "power", "preconditions", "source",
        "acting_organisations_note",
    },
    "urgent_decisions": {
        "need_determined_by", "discussed_by", "taken_by", "taken_by_office", "consulted", "council_decisions",
        "reported_to", "ratification_required", "source",
    },
    "source": {"document", "reference", "url", "inferred"},
}  # fmt: skip

STATUTORY_BOARDS = "statutory_boards"


def load_delegation_seed(
    paths: Iterable[Path] | None = None, *, report: SeedReport | None = None
) -> SeedReport:
    return load_partnership_seed_files(
        folder="delegation",
        paths=list(paths) if paths is not None else sorted(SEED_DIR.glob("*.yaml")),
        allowed_keys=ALLOWED_KEYS,
        load_file=_load_file,
        report=report,
    )


class _SchemeFile:
    """One scheme file being loaded: its partnership, the bodies it may name, the matters it has
    written so far. An unknown reference is a problem and stops the file."""

    def __init__(self, loader: SeedLoader, file: str, data: dict):
        self.loader = loader
        self.file = file
        self.partnership = seed_partnership(loader, file, data)
        self.default_from = parse_date(data.get("effective_from"))
        # The basis of a file-wide start date the document does not state (cited as inferred).
        self.default_from_basis = str(data.get("effective_from_inferred") or "")
        self.bodies = {body.slug: body for body in Body.objects.filter(partnership=self.partnership)}
        self.statutory = {body.slug: body for body in Body.objects.filter(partnership=None)}
        self.matters: dict[str, Matter] = {}

    def body(self, slug: str | None, where: str) -> Body | None:
        if not slug:
            return None
        found = self.bodies.get(slug) or self.statutory.get(slug)
        if found is None:
            self.loader.problems.append(f"{where}: unknown body '{slug}'")
            raise SeedAbort
        return found

    def matter(self, slug: str, where: str) -> Matter:
        if slug not in self.matters:
            self.loader.problems.append(f"{where}: unknown matter '{slug}'")
            raise SeedAbort
        return self.matters[slug]

    def each(self, data: dict, key: str, kind: str):
        """(where, item) for each item of data[key], its keys checked."""
        for index, item in enumerate(data.get(key) or []):
            where = f"{self.file}: {key}[{index}]"
            self.loader.check_keys(where, kind, item)
            yield where, item


def _load_file(loader: SeedLoader, file: str, data: dict) -> None:
    f = _SchemeFile(loader, file, data)
    _load_matters(f, data)
    _load_reservations(f, data)
    _load_delegations(f, data)
    _load_approval_routes(f, data)
    _load_urgent_decisions(f, data)
    _load_notes(f, data)
    if loader.problems:
        raise SeedAbort


def _load_urgent_decisions(f: _SchemeFile, data: dict) -> None:
    rule = data.get("urgent_decisions")
    if not rule:
        return
    where = f"{f.file}: urgent_decisions"
    f.loader.check_keys(where, "urgent_decisions", rule)
    f.loader.upsert(
        UrgentDecisionRule,
        {"partnership": f.partnership},
        {
            "need_determined_by": (rule.get("need_determined_by") or "").strip(),
            "discussed_by": f.body(rule.get("discussed_by"), where),
            "taken_by": f.body(rule.get("taken_by"), where),
            "taken_by_office": rule.get("taken_by_office") or "",
            "consulted": [str(item).strip() for item in rule.get("consulted") or []],
            "council_decisions": (rule.get("council_decisions") or "").strip(),
            "reported_to": (rule.get("reported_to") or "").strip(),
            "ratification_required": bool(rule.get("ratification_required", True)),
            **source_fields(rule.get("source")),
        },
        where,
    )


def _load_notes(f: _SchemeFile, data: dict) -> None:
    text = (data.get("notes") or "").strip()
    if text:
        f.loader.upsert(
            SchemeNote,
            {"partnership": f.partnership},
            {"text": text, **source_fields(data.get("notes_source") or {"document": data.get("document")})},
            f"{f.file}: notes",
        )


def _load_matters(f: _SchemeFile, data: dict) -> None:
    for where, m in f.each(data, "matters", "matter"):
        f.matters[m["slug"]] = f.loader.upsert(
            Matter,
            {"partnership": f.partnership, "slug": m["slug"]},
            {
                "name": m["name"].strip(),
                "category": m.get("category") or "",
                **source_fields(m.get("source")),
            },
            where,
        )


def _load_reservations(f: _SchemeFile, data: dict) -> None:
    for where, r in f.each(data, "reservations", "reservation"):
        f.loader.upsert(
            Reservation,
            {
                "partnership": f.partnership,
                "matter": f.matter(r["matter"], where),
                "reserved_to": r.get("reserved_to_kind") or "",
                "reserved_to_body": f.body(r.get("reserved_to_body"), where),
            },
            {
                "power": r.get("power") or Power.APPROVE,
                "effective_from": f.default_from,
                **source_fields(r.get("source"), f.default_from_basis if f.default_from else ""),
            },
            where,
        )


def _load_delegations(f: _SchemeFile, data: dict) -> None:
    for where, d in f.each(data, "delegations", "delegation"):
        delegator = d.get("delegator")
        f.loader.upsert(
            Delegation,
            {
                "partnership": f.partnership,
                "delegator": None if delegator in (None, STATUTORY_BOARDS) else f.body(delegator, where),
                "delegate": f.body(d.get("delegate"), where),
                "delegate_office": d.get("delegate_office") or "",
                "matter": f.matter(d["matter"], where),
                "power": d.get("power") or Power.EXERCISE,
            },
            {
                "financial_limit_gbp": Decimal(str(d["financial_limit_gbp"]))
                if d.get("financial_limit_gbp") is not None
                else None,
                "conditions": (d.get("conditions") or "").strip(),
                "further_delegation_permitted": bool(d.get("further_delegation_permitted", False)),
                "effective_from": parse_date(d.get("effective_from")) or f.default_from,
                "effective_to": parse_date(d.get("effective_to")),
                **source_fields(
                    d.get("source"),
                    "" if d.get("effective_from") or not f.default_from else f.default_from_basis,
                ),
            },
            where,
        )


def _load_approval_routes(f: _SchemeFile, data: dict) -> None:
    for where, r in f.each(data, "approval_routes", "route"):
        route = f.loader.upsert(
            ApprovalRoute,
            {"partnership": f.partnership, "category": r["category"]},
            {
                "name": r["name"],
                **source_fields(r.get("source") or (r.get("stages") or [{}])[0].get("source")),
            },
            where,
        )
        for s_index, s in enumerate(r.get("stages") or []):
            _load_approval_stage(f, route, s, f"{where}.stages[{s_index}]")


def _load_approval_stage(f: _SchemeFile, route: ApprovalRoute, s: dict, s_where: str) -> None:
    loader = f.loader
    loader.check_keys(s_where, "stage", s)
    stage = loader.upsert(
        ApprovalStage,
        {"route": route, "position": s["position"]},
        {
            "phase": s.get("phase") or ApprovalStage.Phase.OTHER,
            "name": s["name"],
            "jointly": bool(s.get("jointly", False)),
            "power": s.get("power") or Power.EXERCISE,
            "preconditions": s.get("preconditions") or "",
            "acting_organisations_note": s.get("acting_organisations_note")
            or ("" if s.get("acting_bodies") else "The relevant local organisation(s)"),
            **source_fields(s.get("source")),
        },
        s_where,
    )
    acting = {f.body(slug, s_where).pk for slug in s.get("acting_bodies") or []}
    if set(stage.acting_bodies.values_list("pk", flat=True)) != acting:
        stage.acting_bodies.set(acting)
        loader.report.count(ApprovalStage, created=False)

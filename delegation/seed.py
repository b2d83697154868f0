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
from delegation.models import ApprovalRoute, ApprovalStage, Delegation, Matter, Power, Reservation

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "delegation"

ALLOWED_KEYS = {
    "file": {
        "partnership", "effective_from", "matters", "reservations", "delegations", "approval_routes",
        "urgent_decisions", "notes",
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
    "source": {"document", "reference", "url"},
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


def _load_file(loader: SeedLoader, file: str, data: dict) -> None:
    partnership = seed_partnership(loader, file, data)
    default_from = parse_date(data.get("effective_from"))
    bodies = {body.slug: body for body in Body.objects.filter(partnership=partnership)}
    statutory = {body.slug: body for body in Body.objects.filter(partnership=None)}

    def body(slug: str | None, where: str) -> Body | None:
        if not slug:
            return None
        found = bodies.get(slug) or statutory.get(slug)
        if found is None:
            loader.problems.append(f"{where}: unknown body '{slug}'")
            raise SeedAbort
        return found

    matters: dict[str, Matter] = {}
    for index, m in enumerate(data.get("matters") or []):
        where = f"{file}: matters[{index}]"
        loader.check_keys(where, "matter", m)
        matters[m["slug"]] = loader.upsert(
            Matter,
            {"partnership": partnership, "slug": m["slug"]},
            {
                "name": m["name"].strip(),
                "category": m.get("category") or "",
                **source_fields(m.get("source")),
            },
            where,
        )

    def matter(slug: str, where: str) -> Matter:
        if slug not in matters:
            loader.problems.append(f"{where}: unknown matter '{slug}'")
            raise SeedAbort
        return matters[slug]

    for index, r in enumerate(data.get("reservations") or []):
        where = f"{file}: reservations[{index}]"
        loader.check_keys(where, "reservation", r)
        loader.upsert(
            Reservation,
            {
                "partnership": partnership,
                "matter": matter(r["matter"], where),
                "reserved_to": r.get("reserved_to_kind") or "",
                "reserved_to_body": body(r.get("reserved_to_body"), where),
            },
            {
                "power": r.get("power") or Power.APPROVE,
                "effective_from": default_from,
                **source_fields(r.get("source")),
            },
            where,
        )

    for index, d in enumerate(data.get("delegations") or []):
        where = f"{file}: delegations[{index}]"
        loader.check_keys(where, "delegation", d)
        delegator = d.get("delegator")
        loader.upsert(
            Delegation,
            {
                "partnership": partnership,
                "delegator": None if delegator in (None, STATUTORY_BOARDS) else body(delegator, where),
                "delegate": body(d.get("delegate"), where),
                "delegate_office": d.get("delegate_office") or "",
                "matter": matter(d["matter"], where),
                "power": d.get("power") or Power.EXERCISE,
            },
            {
                "financial_limit_gbp": Decimal(str(d["financial_limit_gbp"]))
                if d.get("financial_limit_gbp") is not None
                else None,
                "conditions": (d.get("conditions") or "").strip(),
                "further_delegation_permitted": bool(d.get("further_delegation_permitted", False)),
                "effective_from": parse_date(d.get("effective_from")) or default_from,
                "effective_to": parse_date(d.get("effective_to")),
                **source_fields(d.get("source")),
            },
            where,
        )

    for index, r in enumerate(data.get("approval_routes") or []):
        where = f"{file}: approval_routes[{index}]"
        loader.check_keys(where, "route", r)
        route = loader.upsert(
            ApprovalRoute,
            {"partnership": partnership, "category": r["category"]},
            {
                "name": r["name"],
                **source_fields(r.get("source") or (r.get("stages") or [{}])[0].get("source")),
            },
            where,
        )
        for s_index, s in enumerate(r.get("stages") or []):
            s_where = f"{where}.stages[{s_index}]"
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
            acting = {body(slug, s_where).pk for slug in s.get("acting_bodies") or []}
            if set(stage.acting_bodies.values_list("pk", flat=True)) != acting:
                stage.acting_bodies.set(acting)
                loader.report.count(ApprovalStage, created=False)
    if loader.problems:
        raise SeedAbort

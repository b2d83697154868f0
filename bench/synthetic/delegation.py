"""Matters in chains of five delegations (partnership 0 holds the large scheme), reservations,
approval routes and their stages."""

from __future__ import annotations

import decimal

from bench.synthetic.core import Build, src
from delegation import models as g


def write_matters(c: Build) -> None:
    w, P = c.w, c.P
    for i in range(P):
        c.matters_of[i] = c.size.large_scheme_matters if i == 0 else c.size.matters_per_partnership
    matter0 = w.reserve(g.Matter, sum(c.matters_of.values()))
    running = 0
    for i in range(P):
        c.matter_base[i] = matter0 + running
        c.delegation_base[i] = running * 5
        running += c.matters_of[i]
    categories = [k for k, _ in g.Matter.Category.choices]
    w.copy(
        g.Matter,
        (
            {
                "id": c.matter_base[i] + m,
                "partnership_id": p,
                "slug": f"matter-{m}",
                "name": f"Approve business cases of class {m}",
                "category": categories[m % len(categories)],
                **src(m),
            }
            for i, p in enumerate(c.partnerships)
            for m in range(c.matters_of[i])
        ),
    )


def write_delegations(c: Build) -> None:
    """Five delegations per matter, down its chain; two reservations per partnership."""
    w = c.w
    c.delegation0 = w.reserve(g.Delegation, sum(c.matters_of.values()) * 5)
    w.copy(g.Delegation, _delegation_rows(c))
    w.copy(
        g.Reservation,
        (
            {
                "partnership_id": p,
                "matter_id": c.matter_base[i] + n,
                "reserved_to": "ccg_governing_body" if n else "nhs_statutory_board",
                "power": "approve",
                **src(i),
            }
            for i, p in enumerate(c.partnerships)
            for n in range(2)
        ),
    )


def _delegation_rows(c: Build):
    for i, p in enumerate(c.partnerships):
        for m in range(c.matters_of[i]):
            delegator = None
            for depth, n in enumerate(c.chain(m)):
                yield {
                    "id": c.delegation0 + c.delegation_base[i] + m * 5 + depth,
                    "partnership_id": p,
                    "matter_id": c.matter_base[i] + m,
                    "delegator_id": delegator,
                    "delegate_id": c.body_id(i, n),
                    "power": "approve",
                    "financial_limit_gbp": decimal.Decimal(1_000_000 - depth * 150_000),
                    "further_delegation_permitted": depth < 4,
                    "conditions": "Within the approved budget." if depth == 2 else "",
                    **src(m),
                }
                delegator = c.body_id(i, n)


def write_scheme_rules(c: Build) -> None:
    """Each partnership's urgent-decision rule and its scheme note (as Cambridgeshire's framework has)."""
    w = c.w
    w.copy(
        g.UrgentDecisionRule,
        (
            {
                "partnership_id": p,
                "need_determined_by": "The chair and the accountable officer",
                "consulted": ["The chairs of the partner boards"],
                "reported_to": "The next meeting of the board",
                **src(i),
            }
            for i, p in enumerate(c.partnerships)
        ),
    )
    w.copy(
        g.SchemeNote,
        (
            {"partnership_id": p, "text": f"Notes on scheme {i}.", **src(i)}
            for i, p in enumerate(c.partnerships)
        ),
    )


def write_approval_routes(c: Build) -> None:
    """Three routes per partnership, three stages each, each stage taken by one body."""
    w, P = c.w, c.P
    route0 = c.route0 = w.reserve(g.ApprovalRoute, 3 * P)
    c.route_categories = [k for k, _ in g.ApprovalRoute.Category.choices]
    w.copy(
        g.ApprovalRoute,
        (
            {
                "id": route0 + 3 * i + n,
                "partnership_id": p,
                "category": category,
                "name": f"Business cases {category.replace('_', ' ')}",
                **src(i),
            }
            for i, p in enumerate(c.partnerships)
            for n, category in enumerate(c.route_categories)
        ),
    )
    stage0 = w.reserve(g.ApprovalStage, 9 * P)
    phases = ["outline_business_case", "full_business_case", "sign_off"]
    w.copy(
        g.ApprovalStage,
        (
            {
                "id": stage0 + 3 * k + s,
                "route_id": route0 + k,
                "position": s + 1,
                "phase": phases[s],
                "name": phases[s].replace("_", " ").capitalize(),
                "power": "approve" if s else "recommend",
                **src(k),
            }
            for k in range(3 * P)
            for s in range(3)
        ),
    )
    through = g.ApprovalStage.acting_bodies.through
    w.copy(
        through,
        (
            {"approvalstage_id": stage0 + 3 * k + s, "body_id": c.body_id(k // 3, s)}
            for k in range(3 * P)
            for s in range(3)
        ),
        table=through._meta.db_table,
    )

"""Scheme checks: what is wrong with a partnership's scheme of delegation, in actionable words."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from bodies.models import Body, Partnership, TermsOfReference
from core.effective_dating import today
from delegation.models import Delegation, Matter, Reservation


@dataclass(frozen=True)
class Defect:
    code: str
    message: str
    delegation_id: int | None = None
    matter_id: int | None = None
    body_id: int | None = None


def scheme_defects(partnership: Partnership, on: datetime.date | None = None) -> list[Defect]:
    """Every defect in the partnership's scheme as it stands on `on` (default today)."""
    on = on or today()
    delegations = list(
        Delegation.objects.in_force(on)
        .filter(partnership=partnership)
        .select_related("delegator", "delegate", "matter")
        .order_by("matter__name", "pk")
    )
    live_bodies = set(Body.objects.in_force(on).values_list("pk", flat=True))
    with_terms = set(
        TermsOfReference.objects.in_force(on)
        .filter(body__partnership=partnership)
        .values_list("body_id", flat=True)
        .distinct()
    )
    incoming: dict[tuple[int, int], list[Delegation]] = defaultdict(list)
    for delegation in delegations:
        if not delegation.delegate_office:
            incoming[(delegation.delegate_id, delegation.matter_id)].append(delegation)

    defects: list[Defect] = []
    checked_bodies: set[int] = set()
    for d in delegations:
        defects.extend(_delegate_defects(d, live_bodies, with_terms, checked_bodies))
        if d.delegator_id is None or (d.delegator_id == d.delegate_id and d.delegate_office):
            continue
        for parent in incoming.get((d.delegator_id, d.matter_id), []):
            if not parent.further_delegation_permitted:
                defects.append(
                    Defect(
                        "sub_delegation_not_permitted",
                        f"{d.delegator.name} delegates “{d.matter.name}” to {d.delegate_display}, but its own "
                        f"authority for it ({parent.source_citation or 'delegation ' + str(parent.pk)}) does not "
                        "permit further delegation. Permit it in the parent delegation or remove this one.",
                        delegation_id=d.pk,
                        matter_id=d.matter_id,
                    )
                )
            if parent.financial_limit_gbp is not None and (
                d.financial_limit_gbp is None or d.financial_limit_gbp > parent.financial_limit_gbp
            ):
                stated = "no limit" if d.financial_limit_gbp is None else f"£{d.financial_limit_gbp:,.2f}"
                defects.append(
                    Defect(
                        "limit_above_delegator",
                        f"{d.delegate_display} may decide “{d.matter.name}” up to {stated}, more than the "
                        f"£{parent.financial_limit_gbp:,.2f} that {d.delegator.name} itself holds. "
                        "Lower the limit to at most the delegator's.",
                        delegation_id=d.pk,
                        matter_id=d.matter_id,
                    )
                )
    defects.extend(_cycles(delegations))
    defects.extend(_undecidable_matters(partnership, on, delegations))
    defects.extend(_contradicted_reservations(partnership, on, delegations))
    return defects


def _delegate_defects(d: Delegation, live_bodies: set[int], with_terms: set[int], checked: set[int]):
    body = d.delegate
    if body.pk not in live_bodies:
        state = (
            "dissolved"
            if body.status == Body.Status.DISSOLVED or body.effective_to
            else body.get_status_display()
        )
        yield Defect(
            "delegate_not_in_force",
            f"“{d.matter.name}” is delegated to {body.name}, which is {state.lower()} on this date. "
            "End the delegation or delegate to the body that took over its work.",
            delegation_id=d.pk,
            body_id=body.pk,
        )
    if body.pk in checked:
        return
    checked.add(body.pk)
    if body.partnership_id is not None and body.pk not in with_terms:
        yield Defect(
            "delegate_without_terms_of_reference",
            f"{body.name} holds delegated authority but has no approved terms of reference in force. "
            "Approve its terms of reference.",
            body_id=body.pk,
        )
    if not body.holds_delegated_authority:
        yield Defect(
            "delegate_holds_no_authority",
            f"{body.name} is recorded as holding no delegated authority, yet “{d.matter.name}” is delegated to it. "
            "Correct the body's record or end the delegation.",
            delegation_id=d.pk,
            body_id=body.pk,
        )


def _cycles(delegations: list[Delegation]):
    edges: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    names: dict[int, str] = {}
    matters: dict[int, Matter] = {}
    for d in delegations:
        if d.delegator_id and d.delegator_id != d.delegate_id:
            edges[d.matter_id][d.delegator_id].add(d.delegate_id)
            names[d.delegator_id], names[d.delegate_id] = d.delegator.name, d.delegate.name
            matters[d.matter_id] = d.matter
    for matter_id, graph in edges.items():
        seen_cycles: set[frozenset[int]] = set()
        for start in list(graph):
            stack = [(start, [start])]
            while stack:
                node, path = stack.pop()
                for nxt in graph.get(node, ()):
                    if nxt == start:
                        key = frozenset(path)
                        if key not in seen_cycles:
                            seen_cycles.add(key)
                            circle = " → ".join(names[n] for n in [*path, start])
                            yield Defect(
                                "cycle",
                                f"“{matters[matter_id].name}” is delegated in a circle: {circle}. "
                                "No chain of authority can start in a circle; remove one of the delegations.",
                                matter_id=matter_id,
                            )
                    elif nxt not in path and len(path) < 32:
                        stack.append((nxt, [*path, nxt]))


def _undecidable_matters(partnership: Partnership, on: datetime.date, delegations: list[Delegation]):
    delegated = {d.matter_id for d in delegations}
    reserved = set(
        Reservation.objects.in_force(on).filter(partnership=partnership).values_list("matter_id", flat=True)
    )
    for matter in (
        Matter.objects.filter(partnership=partnership).exclude(pk__in=delegated | reserved).order_by("name")
    ):
        yield Defect(
            "matter_nobody_may_decide",
            f"Nobody may decide “{matter.name}” on this date: it is neither delegated nor reserved. "
            "Delegate it, reserve it, or retire the matter.",
            matter_id=matter.pk,
        )


def _contradicted_reservations(partnership: Partnership, on: datetime.date, delegations: list[Delegation]):
    by_matter = defaultdict(list)
    for d in delegations:
        by_matter[(d.matter_id, d.power)].append(d)
    for reservation in (
        Reservation.objects.in_force(on)
        .filter(partnership=partnership)
        .select_related("matter")
        .order_by("pk")
    ):
        for d in by_matter.get((reservation.matter_id, reservation.power), []):
            yield Defect(
                "reservation_contradicted",
                f"“{reservation.matter.name}” is reserved to the {reservation.get_reserved_to_display().lower()} "
                f"({reservation.source_citation}), yet {d.delegate_display} is delegated to "
                f"{d.get_power_display().lower()} it ({d.source_citation}). Remove one or the other.",
                delegation_id=d.pk,
                matter_id=reservation.matter_id,
            )

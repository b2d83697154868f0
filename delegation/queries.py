"""Authority resolution: which body can decide this, and why.

The single source of truth for the API, the admin and the staff pages. The chain of
delegation is walked in the database with one recursive query, so resolution time depends
on the length of the chains for the matter asked about, not on the size of the registry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, QuerySet

from bodies.models import Body, Membership, Organisation, Partnership
from bodies.successions import in_place_of_members_sql
from core.effective_dating import in_force_sql, today
from delegation.models import ApprovalRoute, ApprovalStage, Delegation, Matter, Power, Reservation

# Standings whose organisations are parties, and so ratify collective decisions.
RATIFYING_STANDINGS = (Membership.Standing.PARTY_TO, Membership.Standing.CORE)
# Decisions under these powers commit the partners, so they need ratification where the
# deciding body's decisions do not bind (procedural acts such as giving notice do not).
RATIFIABLE_POWERS = {Power.APPROVE, Power.ENDORSE, Power.SIGN_OFF}
MAX_CHAIN_DEPTH = 32

# A delegation `d` of the scheme for the matter, in force on the day; its delegate body `b` live then
# (not proposed, in its period, of the partnership or a member organisation's own board). Each
# link of the chain is checked by primary key as the chain reaches it.
_IN_SCHEME = f"""d.partnership_id = %(partnership)s AND d.matter_id = %(matter)s
      AND {in_force_sql("d")}"""
_LIVE_BODY = f"""(b.partnership_id = %(partnership)s OR b.partnership_id IS NULL)
      AND b.status <> 'proposed'
      AND {in_force_sql("b")}"""

CHAIN_SQL = f"""
WITH RECURSIVE chain AS (
    SELECT d.id AS leaf_id, d.id AS delegation_id, d.delegator_id, 1 AS depth,
           d.financial_limit_gbp AS tightest_limit, ARRAY[d.id] AS path, FALSE AS cycle
    FROM delegation_delegation d
    JOIN bodies_body b ON b.id = d.delegate_id
    WHERE {_IN_SCHEME}
      AND {_LIVE_BODY}
  UNION ALL
    SELECT c.leaf_id, d.id, d.delegator_id, c.depth + 1,
           LEAST(c.tightest_limit, d.financial_limit_gbp), c.path || d.id, d.id = ANY(c.path)
    FROM chain c
    JOIN delegation_delegation d ON d.delegate_id = c.delegator_id AND d.delegate_office = '' AND {_IN_SCHEME}
    JOIN bodies_body b ON b.id = d.delegate_id AND {_LIVE_BODY}
    WHERE NOT c.cycle AND c.depth < %(max_depth)s
)
SELECT c.leaf_id, c.depth, c.tightest_limit, c.path, c.cycle,
       d.id, d.delegator_id, delegator.name, d.delegate_id, delegate.name, d.delegate_office,
       d.power, d.financial_limit_gbp, d.conditions, d.further_delegation_permitted,
       d.source_document, d.source_reference, delegate.decisions_bind_partners, delegate.holds_delegated_authority
FROM chain c
JOIN delegation_delegation d ON d.id = c.delegation_id
JOIN bodies_body delegate ON delegate.id = d.delegate_id
LEFT JOIN bodies_body delegator ON delegator.id = d.delegator_id
ORDER BY c.leaf_id, c.depth
"""


@dataclass
class ChainLink:
    delegation_id: int
    delegator: str
    delegate: str
    power: str
    financial_limit_gbp: Decimal | None
    conditions: str
    further_delegation_permitted: bool
    source: str


@dataclass
class AuthorityPath:
    body_id: int
    body: str
    office: str
    power: str
    chain: list[ChainLink]  # from the statutory source down to the deciding body
    tightest_limit_gbp: Decimal | None
    rests_on: str
    binds_partners: bool
    excluded_because: str = ""

    @property
    def decider(self) -> str:
        return self.chain[-1].delegate


@dataclass
class RouteStage:
    position: int
    phase: str
    name: str
    acting: list[str]
    jointly: bool
    power: str
    preconditions: str
    ahead: bool
    source: str


@dataclass
class AuthorityAnswer:
    partnership: Partnership
    on: datetime.date
    amount_gbp: Decimal | None
    matter: Matter | None = None
    category: str | None = None
    paths: list[AuthorityPath] = field(default_factory=list)
    excluded: list[AuthorityPath] = field(default_factory=list)
    reservations: list[Reservation] = field(default_factory=list)
    route: list[RouteStage] = field(default_factory=list)
    ratifying_organisations: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    # The first day of the partnership's recorded scheme (its earliest delegation), when the question is
    # about an earlier day: no recorded scheme was in force then.
    scheme_starts_on: datetime.date | None = None

    @property
    def ratification_required(self) -> bool:
        return bool(self.ratifying_organisations)


def resolve_authority(
    *,
    partnership: Partnership,
    matter: Matter | None = None,
    category: str | None = None,
    amount_gbp: Decimal | None = None,
    on: datetime.date | None = None,
    stage_reached: int | None = None,
) -> AuthorityAnswer:
    """Who may decide `matter` and which route a proposal of `category` takes on `on`, and why: one
    answer when both are asked (the authority, its chain, limits and sources, and the stages still ahead)."""
    if matter is None and category is None:
        raise ValueError("Ask about a matter, a proposal category, or both.")
    on = on or today()
    answer = AuthorityAnswer(
        partnership=partnership, on=on, amount_gbp=amount_gbp, matter=matter, category=category
    )
    lines = []
    starts = scheme_starts_on(partnership)
    if starts is not None and on < starts:
        answer.scheme_starts_on = starts
        lines.append(
            f"No recorded scheme of delegation of {partnership.name} was in force on {_day(on)}: the earliest "
            f"recorded one applies from {_day(starts)}, the date of its source document."
        )
    if matter is not None:
        _resolve_matter(answer, matter)
        lines += answer.explanation
    if category is not None:
        _resolve_route(answer, category, stage_reached)
        lines += answer.explanation
    answer.explanation = lines
    return answer


def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def scheme_starts_on(partnership: Partnership) -> datetime.date | None:
    """The first day of the partnership's recorded scheme of delegation: its earliest delegation's start
    (None when none is dated, or none is recorded)."""
    return (
        Delegation.objects.filter(partnership=partnership, effective_from__isnull=False)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )


def _resolve_matter(answer: AuthorityAnswer, matter: Matter) -> None:
    rows = _chain_rows(answer.partnership.pk, matter.pk, answer.on)
    for path in _assemble_paths(rows):
        _judge(answer, path)
    answer.reservations = list(
        Reservation.objects.in_force(answer.on)
        .filter(partnership=answer.partnership, matter=matter)
        .select_related("reserved_to_body")
    )
    if any(not p.binds_partners and p.power in RATIFIABLE_POWERS for p in answer.paths):
        answer.ratifying_organisations = _names(ratifying_parties(answer.partnership, answer.on))
    answer.explanation = _explain_matter(answer, matter)


def _chain_rows(partnership_id: int, matter_id: int, on: datetime.date) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            CHAIN_SQL,
            {"partnership": partnership_id, "matter": matter_id, "on": on, "max_depth": MAX_CHAIN_DEPTH},
        )
        return cursor.fetchall()


def _assemble_paths(rows: list[tuple]) -> list[AuthorityPath]:
    links: dict[int, ChainLink] = {}
    leaf_facts: dict[int, tuple] = {}
    by_path: dict[tuple, tuple] = {}
    for (
        leaf_id, depth, tightest, path, cycle, delegation_id, delegator_id, delegator_name, delegate_id,
        delegate_name, office, power, limit, conditions, further, source_document, source_reference,
        binds, _holds_authority,
    ) in rows:  # fmt: skip
        office_label = dict(Delegation.Office.choices).get(office, office)
        links[delegation_id] = ChainLink(
            delegation_id=delegation_id,
            delegator=delegator_name or "The partners' statutory boards",
            delegate=f"{office_label} of {delegate_name}" if office else delegate_name,
            power=power,
            financial_limit_gbp=limit,
            conditions=conditions,
            further_delegation_permitted=further,
            source=", ".join(part for part in (source_document, source_reference) if part),
        )
        if depth == 1:
            leaf_facts[leaf_id] = (delegate_id, delegate_name, office, power, binds)
        by_path[tuple(path)] = (tightest, cycle, delegator_id, delegator_name)

    paths = []
    for path, (tightest, cycle, delegator_id, delegator_name) in by_path.items():
        extended = any(len(other) == len(path) + 1 and other[: len(path)] == path for other in by_path)
        if extended and not cycle:
            continue  # not the end of this chain
        leaf_id = path[0]
        delegate_id, delegate_name, office, power, binds = leaf_facts[leaf_id]
        if cycle:
            rests_on = "a cycle of delegations (see the scheme checks)"
        elif delegator_id is None:
            rests_on = "the partners' statutory boards"
        else:
            rests_on = f"the {delegator_name}'s own authority under the partnership's governance framework"
        chain = [links[delegation_id] for delegation_id in reversed(path)]
        paths.append(
            AuthorityPath(
                body_id=delegate_id,
                body=delegate_name,
                office=office,
                power=power,
                chain=chain,
                tightest_limit_gbp=tightest,
                rests_on=rests_on,
                binds_partners=binds,
                excluded_because="the chain of delegation runs in a circle" if cycle else "",
            )
        )
    return sorted(paths, key=lambda p: (p.body, p.office, len(p.chain)))


def _judge(answer: AuthorityAnswer, path: AuthorityPath) -> None:
    if not path.excluded_because:
        for parent, child in zip(path.chain, path.chain[1:], strict=False):
            if not parent.further_delegation_permitted:
                path.excluded_because = (
                    f"{parent.delegate} was not permitted to delegate further ({parent.source}), "
                    f"so its delegation to {child.delegate} gives no authority"
                )
                break
    limit = path.tightest_limit_gbp
    over_limit = answer.amount_gbp is not None and limit is not None and answer.amount_gbp > limit
    if over_limit and not path.excluded_because:
        holder = next(link for link in path.chain if link.financial_limit_gbp == limit)
        path.excluded_because = (
            f"£{answer.amount_gbp:,.2f} is above the £{limit:,.2f} limit "
            f"on the delegation to {holder.delegate} ({holder.source})"
        )
    (answer.excluded if path.excluded_because else answer.paths).append(path)


def ratifying_parties(partnership: Partnership, on: datetime.date) -> QuerySet[Organisation]:
    """The organisations whose boards must ratify a collective decision: every party with a confirmed
    membership on the day, each through its own board. A party dissolved by then is asked through
    the organisation standing in its place on the day (four merged CCGs: their one successor, once)."""
    in_place = in_place_of_members_sql(
        partnership.pk, on, [str(s) for s in RATIFYING_STANDINGS], Membership.Status.CONFIRMED
    )
    return Organisation.objects.filter(pk__in=in_place).order_by("name", "id")


def _names(organisations: QuerySet[Organisation]) -> list[str]:
    return list(organisations.values_list("name", flat=True))


def ratification_for_body(body: Body, on: datetime.date | None = None) -> list[str]:
    """Which organisations must ratify a decision of this body (none if its decisions bind)."""
    if body.decisions_bind_partners or body.partnership_id is None:
        return []
    return _names(ratifying_parties(body.partnership, on or today()))


def _resolve_route(answer: AuthorityAnswer, category: str, stage_reached: int | None) -> None:
    route = (
        ApprovalRoute.objects.filter(partnership=answer.partnership, category=category)
        .prefetch_related(
            Prefetch(
                "stages",
                queryset=ApprovalStage.objects.order_by("position").prefetch_related(
                    Prefetch("acting_bodies", queryset=Body.objects.order_by("name"))
                ),
            )
        )
        .first()
    )
    if route is None:
        answer.explanation = [f"{answer.partnership} has no approval route for this category of proposal."]
        return
    for stage in route.stages.all():
        acting = [body.name for body in stage.acting_bodies.all()] or [stage.acting_organisations_note or "—"]
        answer.route.append(
            RouteStage(
                position=stage.position,
                phase=stage.get_phase_display(),
                name=stage.name,
                acting=acting,
                jointly=stage.jointly,
                power=stage.get_power_display(),
                preconditions=stage.preconditions,
                ahead=stage_reached is None or stage.position > stage_reached,
                source=stage.source_citation,
            )
        )
    ahead = [stage for stage in answer.route if stage.ahead]
    answer.explanation = [f"A proposal {route.get_category_display().lower()} follows “{route.name}”."]
    if ahead:
        answer.explanation.append(
            f"{len(ahead)} of {len(answer.route)} stages are still ahead, next: "
            f"{ahead[0].name} ({' and '.join(ahead[0].acting)})."
        )
    else:
        answer.explanation.append("Every stage has been passed.")


def _money(value: Decimal | None) -> str:
    return "no financial limit" if value is None else f"a limit of £{value:,.2f}"


def _explain_matter(answer: AuthorityAnswer, matter: Matter) -> list[str]:
    lines = []
    for path in answer.paths:
        steps = " → ".join([path.chain[0].delegator] + [link.delegate for link in path.chain])
        sources = "; ".join(sorted({link.source for link in path.chain if link.source}))
        lines.append(
            f"{path.decider} may {Power(path.power).label.lower()} “{matter.name}”: {steps} "
            f"(authority resting on {path.rests_on}; {_money(path.tightest_limit_gbp)}; source: {sources})."
        )
    for path in answer.excluded:
        lines.append(f"{path.decider} cannot decide it: {path.excluded_because}.")
    if not answer.paths and not answer.excluded:
        lines.append(
            f"No body in {answer.partnership}'s scheme holds delegated authority for “{matter.name}” on "
            f"{_day(answer.on)}: the decision stays with each partner organisation."
        )
    for reservation in answer.reservations:
        lines.append(
            f"Reserved: the {reservation.get_reserved_to_display().lower()} "
            f"{reservation.get_power_display().lower()} this themselves ({reservation.source_citation})."
        )
    if answer.ratifying_organisations:
        lines.append(
            f"The deciding body's decisions do not bind the partners: {len(answer.ratifying_organisations)} "
            "partner boards must ratify it (" + ", ".join(answer.ratifying_organisations) + ")."
        )
    return lines

"""Reads of the risk registers: heat maps, the lists a secretariat works from, history, escalation routes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from bodies.models import Body, BodyRelationship, Partnership
from core.effective_dating import today
from risks.models import Band, Risk, RiskEscalation, RiskRegister, RiskReview, ScoringMatrix

SCORE_CHOICES = ("current", "target", "inherent")
ROUTE_KINDS = (BodyRelationship.Kind.ESCALATES_RISKS_TO, BodyRelationship.Kind.REPORTS_TO)


# -- escalation routes ------------------------------------------------------------------
def escalation_targets(body: Body, on: datetime.date | None = None) -> tuple[list[Body], str]:
    """Where `body` escalates risks on the day, and by which relationship.

    Its "escalates risks to" lines, or, when it has none in force, its "reports to" lines;
    only bodies in force on the day count.
    """
    on = on or today()
    for kind in ROUTE_KINDS:
        lines = (
            BodyRelationship.objects.in_force(on)
            .filter(from_body=body, kind=kind, to_body__in=Body.objects.in_force(on))
            .select_related("to_body")
            .order_by("to_body__name")
        )
        targets = [line.to_body for line in lines]
        if targets:
            return targets, kind
    return [], ""


def holding_escalation(risk: Risk) -> RiskEscalation | None:
    """The escalation under which the risk is held above its own register now, if any."""
    return (
        risk.escalations.filter(response=RiskEscalation.Response.ACCEPTED, de_escalated_on__isnull=True)
        .select_related("to_body")
        .order_by("-escalated_on", "-id")
        .first()
    )


# -- lists ---------------------------------------------------------------------------------
def _risks(partnership: Partnership | None = None, register: RiskRegister | None = None) -> QuerySet[Risk]:
    risks = Risk.objects.all()
    if partnership is not None:
        risks = risks.filter(partnership=partnership)
    if register is not None:
        risks = risks.filter(register=register)
    return risks.select_related("register__body", "register__organisation", "owner", "lead_organisation")


def overdue_for_review(
    *,
    partnership: Partnership | None = None,
    register: RiskRegister | None = None,
    on: datetime.date | None = None,
) -> QuerySet[Risk]:
    """Open risks whose next review was due before the day, longest overdue first."""
    return _risks(partnership, register).overdue(on).order_by("next_review_due", "reference")


def above_appetite(
    *, partnership: Partnership | None = None, register: RiskRegister | None = None
) -> QuerySet[Risk]:
    """Open risks scored above what their appetite tolerates, furthest above first."""
    return (
        _risks(partnership, register)
        .above_appetite()
        .order_by((F("tolerable_score") - F("current_score")).asc(), "reference")
    )


def escalated_awaiting_response(
    *,
    partnership: Partnership | None = None,
    to_body: Body | None = None,
    register: RiskRegister | None = None,
) -> QuerySet[RiskEscalation]:
    """Escalations no one has answered yet, oldest first: what each receiving body owes an answer to.

    For a register: those it escalated and those escalated to the body that keeps it.
    """
    escalations = RiskEscalation.objects.filter(response=RiskEscalation.Response.PENDING)
    if partnership is not None:
        escalations = escalations.filter(risk__partnership=partnership)
    if to_body is not None:
        escalations = escalations.filter(to_body=to_body)
    if register is not None:
        into = Q(to_body_id=register.body_id) if register.body_id else Q(pk__in=[])
        escalations = escalations.filter(Q(from_register=register) | into)
    return escalations.select_related(
        "risk", "to_body", "from_register__body", "from_register__organisation"
    ).order_by("escalated_on", "id")


def register_summary(register: RiskRegister) -> dict:
    """A risk register in brief: its open risks by current band (highest first), overdue, above appetite."""
    risks = Risk.objects.filter(register=register)
    counts = {
        row["current_band"]: row["n"]
        for row in risks.open().order_by().values("current_band").annotate(n=Count("id"))
    }
    return {
        "register": register,
        "bands": [(band.label, band.value, counts.get(band.value, 0)) for band in reversed(Band)],
        "open": sum(counts.values()),
        "overdue": risks.overdue().count(),
        "above_appetite": risks.above_appetite().count(),
    }


def risks_matching(
    risks: QuerySet[Risk],
    *,
    body: Body | None = None,
    band: str = "",
    category: str = "",
    status: str = "",
    overdue: bool | None = None,
    above_appetite: bool | None = None,
) -> QuerySet[Risk]:
    """The risks a register's filters select (None: either way), by the queryset's own rules for
    overdue and above appetite, as the API's filters apply them."""
    if body is not None:
        risks = risks.filter(register__body=body)
    if band:
        risks = risks.filter(current_band=band)
    if category:
        risks = risks.filter(category=category)
    if status:
        risks = risks.filter(status=status)
    risks = either(risks, Risk.objects.overdue(), overdue)
    return either(risks, Risk.objects.above_appetite(), above_appetite)


def either(queryset: QuerySet, matching: QuerySet, wanted: bool | None) -> QuerySet:
    """The rows in `matching` (true), or not in it (false), or all (None): a yes/no filter whose
    rule is a queryset method's."""
    if wanted is None:
        return queryset
    ids = matching.values("pk")
    return queryset.filter(pk__in=ids) if wanted else queryset.exclude(pk__in=ids)


def attention_by_partnership(
    risks: QuerySet[Risk], escalations: QuerySet[RiskEscalation], on: datetime.date | None = None
) -> dict[int, dict[str, int]]:
    """Partnership id -> open risks overdue for review, above appetite, and escalations awaiting a
    response: the home page's counts for every partnership in two grouped queries.

    The rules are the queryset's (`overdue`, `above_appetite`), applied to the open risks as
    conditional counts (not as subqueries over every risk in the registry).
    """
    on = on or today()
    counts: dict[int, dict[str, int]] = {}
    for row in (
        risks.open()
        .order_by()
        .values("partnership_id")
        .annotate(
            overdue=Count("id", filter=Risk.objects.overdue_condition(on)),
            above_appetite=Count("id", filter=Risk.objects.above_appetite_condition()),
        )
    ):
        counts[row["partnership_id"]] = {"overdue": row["overdue"], "above_appetite": row["above_appetite"]}
    for row in (
        escalations.filter(response=RiskEscalation.Response.PENDING)
        .order_by()
        .values("risk__partnership_id")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["risk__partnership_id"], {"overdue": 0, "above_appetite": 0})["awaiting"] = row[
            "n"
        ]
    return counts


def top_risks(
    partnership: Partnership, limit: int = 10, *, risks: QuerySet[Risk] | None = None
) -> list[Risk]:
    """The partnership's highest-scoring open risks, wherever they are held (of `risks`, if given)."""
    risks = _risks(partnership) if risks is None else risks.filter(partnership=partnership)
    return list(risks.top()[:limit])


def score_history(*, register: RiskRegister | None = None, risk: Risk | None = None) -> QuerySet[RiskReview]:
    """Every review's scores, in date order: how a register's (or one risk's) scores moved."""
    reviews = RiskReview.objects.select_related("risk", "reviewer")
    if register is not None:
        reviews = reviews.filter(risk__register=register)
    if risk is not None:
        reviews = reviews.filter(risk=risk)
    return reviews.order_by("reviewed_on", "risk__reference", "id")


# -- heat maps -----------------------------------------------------------------------------
@dataclass
class HeatMapCell:
    likelihood: int
    consequence: int
    score: int
    band: str
    count: int


@dataclass
class HeatMapBand:
    band: str
    label: str
    lowest: int
    highest: int


@dataclass
class HeatMap:
    title: str
    scores: str
    likelihood_scale: int
    consequence_scale: int
    likelihood_labels: list[str]
    consequence_labels: list[str]
    bands: list[HeatMapBand]
    cells: list[HeatMapCell] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)

    def count(self, likelihood: int, consequence: int) -> int:
        return next(c.count for c in self.cells if (c.likelihood, c.consequence) == (likelihood, consequence))


def heat_map(*, risks: QuerySet[Risk], matrix: ScoringMatrix, title: str, scores: str = "current") -> HeatMap:
    """Open risks counted per likelihood x consequence cell of `scores` (current, target or inherent)."""
    if scores not in SCORE_CHOICES:
        raise ValueError(f"scores must be one of {', '.join(SCORE_CHOICES)}")
    likelihood, consequence = f"{scores}_likelihood", f"{scores}_consequence"
    counts = {
        (row[likelihood], row[consequence]): row["n"]
        for row in risks.open().order_by().values(likelihood, consequence).annotate(n=Count("id"))
    }
    cells = [
        HeatMapCell(
            likelihood=lv,
            consequence=cv,
            score=lv * cv,
            band=matrix.band_for(lv * cv),
            count=counts.get((lv, cv), 0),
        )
        for lv in range(1, matrix.likelihood_scale + 1)
        for cv in range(1, matrix.consequence_scale + 1)
    ]
    return HeatMap(
        title=title,
        scores=scores,
        likelihood_scale=matrix.likelihood_scale,
        consequence_scale=matrix.consequence_scale,
        likelihood_labels=[matrix.likelihood_label(v) for v in range(1, matrix.likelihood_scale + 1)],
        consequence_labels=[matrix.consequence_label(v) for v in range(1, matrix.consequence_scale + 1)],
        bands=[HeatMapBand(*band) for band in matrix.band_ranges()],
        cells=cells,
    )


def register_heat_map(register: RiskRegister, scores: str = "current") -> HeatMap:
    return heat_map(
        risks=Risk.objects.filter(register=register),
        matrix=ScoringMatrix.for_partnership(register.partnership_id),
        title=str(register),
        scores=scores,
    )


def partnership_heat_map(partnership: Partnership, scores: str = "current") -> HeatMap:
    return heat_map(
        risks=Risk.objects.filter(partnership=partnership),
        matrix=ScoringMatrix.for_partnership(partnership.pk),
        title=f"{partnership.name}: all registers",
        scores=scores,
    )

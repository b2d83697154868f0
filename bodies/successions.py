"""Successions followed as at a date: mergers (many into one), splits (one into many, with shares),
replacements and transfers of functions, and renames (the same organisation under a new, dated name).

History stays with the records that were made (a membership of a CCG stays a membership of that CCG);
these functions answer "who stands in its place on that day?" for every page, check and answer that
needs it. Writes go through `record_succession` and `record_rename` (keyword-only, atomic); the
database refuses a cycle or a successor dissolved before its predecessor (migration 0007).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL

from bodies.models import Organisation, OrganisationName, OrganisationSuccession
from core.effective_dating import today

Kind = OrganisationSuccession.Kind
MAX_DEPTH = 32


def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


# -- writing --------------------------------------------------------------------------------------
@transaction.atomic
def record_succession(
    *,
    predecessor: Organisation,
    successor: Organisation,
    effective_on: datetime.date,
    kind: str,
    note: str = "",
    share_percent: Decimal | int | str | None = None,
    dissolve_predecessor: bool | None = None,
    source_document: str = "",
    source_reference: str = "",
    source_url: str = "",
) -> OrganisationSuccession:
    """Record (or correct) that `successor` stood in `predecessor`'s place from `effective_on`.

    Idempotent: the same pair again updates the recorded succession (an import may run nightly).
    A merger, replacement or transfer ends the predecessor the day before (unless it already has an
    end date, or `dissolve_predecessor=False`); a split ends it once its shares reach 100 %.
    """
    if kind == "rename":
        raise ValidationError(
            {"kind": "A rename keeps the organisation: record it with record_rename, not as a succession."}
        )
    if kind not in Kind.values:
        raise ValidationError({"kind": f"Unknown kind of succession “{kind}”."})
    if effective_on is None:
        raise ValidationError({"effective_on": "Give the first day the successor stood in its place."})
    ids = sorted({predecessor.pk, successor.pk})
    locked = {o.pk: o for o in Organisation.objects.select_for_update().order_by("pk").filter(pk__in=ids)}
    predecessor, successor = locked[predecessor.pk], locked[successor.pk]
    share = Decimal(str(share_percent)) if share_percent not in (None, "") else None
    _refuse_bad_succession(predecessor, successor, effective_on, kind, share)

    succession = OrganisationSuccession.objects.filter(
        predecessor=predecessor, successor=successor
    ).first() or OrganisationSuccession(predecessor=predecessor, successor=successor)
    values = {"effective_on": effective_on, "kind": kind, "share_percent": share, "note": note}
    for name, value in (
        ("source_document", source_document),
        ("source_reference", source_reference),
        ("source_url", source_url),
    ):
        if value or not getattr(succession, name):
            values[name] = value
    # Written only when something differs: an import may run nightly, and adds no history when unchanged.
    succession.changed = succession.pk is None or any(getattr(succession, n) != v for n, v in values.items())
    if succession.changed:
        for name, value in values.items():
            setattr(succession, name, value)
        succession.full_clean()
        succession.save()

    if dissolve_predecessor is None:
        dissolve_predecessor = kind != Kind.SPLIT or _split_shares(predecessor, effective_on) >= 100
    if dissolve_predecessor and predecessor.dissolved_on is None:
        predecessor.dissolved_on = effective_on - datetime.timedelta(days=1)
        predecessor.full_clean()
        predecessor.save(update_fields=["dissolved_on"])
    return succession


def _refuse_bad_succession(
    predecessor: Organisation,
    successor: Organisation,
    effective_on: datetime.date,
    kind: str,
    share: Decimal | None,
) -> None:
    if predecessor.pk == successor.pk:
        raise ValidationError(
            {"successor": "An organisation cannot succeed itself (a new name is a rename)."}
        )
    if successor.dissolved_on is not None and successor.dissolved_on < effective_on:
        raise ValidationError(
            {
                "successor": f"{successor.name} was dissolved on {_day(successor.dissolved_on)}, before "
                f"{_day(effective_on)}: it cannot succeed {predecessor.name} then."
            }
        )
    if (
        successor.dissolved_on is not None
        and predecessor.dissolved_on is not None
        and successor.dissolved_on < predecessor.dissolved_on
    ):
        raise ValidationError(
            {"successor": f"{successor.name} was dissolved before its predecessor {predecessor.name}."}
        )
    if successor.established_on is not None and successor.established_on > effective_on:
        raise ValidationError(
            {
                "effective_on": f"{successor.name} was established on {_day(successor.established_on)}: it "
                f"cannot stand in {predecessor.name}'s place before then."
            }
        )
    if predecessor.pk in {o for o, _ in _onward_ids([successor.pk], None)}:
        raise ValidationError(
            {
                "successor": f"{successor.name} already succeeds {predecessor.name}: successions cannot go round."
            }
        )
    if kind == Kind.SPLIT:
        if share is None or not (0 < share <= 100):
            raise ValidationError(
                {"share_percent": "A split states the successor's share, above 0 and at most 100 %."}
            )
        others = _split_shares(predecessor, effective_on, excluding=successor)
        if others + share > 100:
            raise ValidationError(
                {
                    "share_percent": f"The shares of {predecessor.name}'s split would come to {others + share} %."
                }
            )
    elif share is not None:
        raise ValidationError({"share_percent": "Only a split states a share."})


def _split_shares(predecessor: Organisation, effective_on: datetime.date, excluding=None) -> Decimal:
    rows = OrganisationSuccession.objects.filter(
        predecessor=predecessor, kind=Kind.SPLIT, effective_on=effective_on
    )
    if excluding is not None:
        rows = rows.exclude(successor=excluding)
    return sum((row.share_percent or Decimal(0) for row in rows), Decimal(0))


@transaction.atomic
def record_rename(
    *,
    organisation: Organisation,
    new_name: str,
    effective_on: datetime.date,
    source_document: str = "",
    source_reference: str = "",
    source_url: str = "",
) -> Organisation:
    """The organisation is known by `new_name` from `effective_on`; its old name is kept, dated (to the
    day before), and stays findable (other names)."""
    organisation = Organisation.objects.select_for_update().order_by().get(pk=organisation.pk)
    new_name = (new_name or "").strip()
    if not new_name:
        raise ValidationError({"name": "Give the new name."})
    if new_name == organisation.name:
        raise ValidationError({"name": f"The organisation is already called {new_name}."})
    last = organisation.names.order_by("-effective_to").first()
    started = (last.effective_to + datetime.timedelta(days=1)) if last and last.effective_to else None
    started = started or organisation.established_on
    ended = effective_on - datetime.timedelta(days=1)
    if started and ended < started:
        raise ValidationError(
            {"effective_on": f"The name {organisation.name} was only taken on {_day(started)}."}
        )
    old = OrganisationName(
        organisation=organisation,
        name=organisation.name,
        effective_from=started,
        effective_to=ended,
        source_document=source_document,
        source_reference=source_reference,
        source_url=source_url,
    )
    old.full_clean()
    old.save()
    if organisation.name not in organisation.other_names:
        organisation.other_names = [*organisation.other_names, organisation.name]
    organisation.name = new_name
    organisation.full_clean()
    organisation.save(update_fields=["name", "other_names"])
    return organisation


def name_as_at(organisation: Organisation, on: datetime.date | None = None) -> str:
    """The name the organisation went by on the day (its current name after its last rename)."""
    on = on or today()
    dated = organisation.names.in_force(on).order_by("-effective_from").first()
    return dated.name if dated else organisation.name


# -- reading --------------------------------------------------------------------------------------
def _successions_by_predecessor(on: datetime.date | None) -> dict[int, list[tuple[int, Decimal | None]]]:
    """Every succession in effect on the day (all, when `on` is None), one query: for each predecessor
    the successors of its latest succession date (several for a split)."""
    rows = OrganisationSuccession.objects.order_by(
        "predecessor_id", "-effective_on", F("share_percent").desc(nulls_last=True), "successor_id"
    )
    if on is not None:
        rows = rows.filter(effective_on__lte=on)
    latest: dict[int, datetime.date] = {}
    found: dict[int, list[tuple[int, Decimal | None]]] = {}
    for predecessor_id, successor_id, effective_on, share in rows.values_list(
        "predecessor_id", "successor_id", "effective_on", "share_percent"
    ):
        if latest.setdefault(predecessor_id, effective_on) == effective_on:
            found.setdefault(predecessor_id, []).append((successor_id, share))
    return found


def _onward_ids(ids: Iterable[int], on: datetime.date | None, graph=None) -> list[tuple[int, int]]:
    """(organisation id, depth) of every organisation reached onward from `ids`."""
    graph = _successions_by_predecessor(on) if graph is None else graph
    reached, frontier, depth = [], list(ids), 0
    seen = set(frontier)
    while frontier and depth < MAX_DEPTH:
        depth += 1
        nxt = []
        for node in frontier:
            for successor_id, _ in graph.get(node, []):
                if successor_id not in seen:
                    seen.add(successor_id)
                    reached.append((successor_id, depth))
                    nxt.append(successor_id)
        frontier = nxt
    return reached


def successor_ids_as_at(ids: Iterable[int], on: datetime.date | None = None) -> dict[int, list[int]]:
    """For each organisation id, the ids standing in its place on the day (itself if none): one query.
    A merger chain leads to one; a split to several."""
    graph = _successions_by_predecessor(on or today())

    def resolve(node: int, seen: frozenset) -> list[int]:
        nexts = [s for s, _ in graph.get(node, []) if s not in seen]
        if not nexts or len(seen) > MAX_DEPTH:
            return [node]
        out: list[int] = []
        for successor_id in nexts:
            for terminal in resolve(successor_id, seen | {successor_id}):
                if terminal not in out:
                    out.append(terminal)
        return out

    return {pk: resolve(pk, frozenset({pk})) for pk in set(ids)}


_IN_PLACE_SQL = """
WITH RECURSIVE latest AS (
    SELECT s.predecessor_id, s.successor_id FROM bodies_organisationsuccession s
    WHERE s.effective_on <= %s AND s.effective_on = (
        SELECT max(s2.effective_on) FROM bodies_organisationsuccession s2
        WHERE s2.predecessor_id = s.predecessor_id AND s2.effective_on <= %s)
), walk(id, depth) AS (
    SELECT o.id, 0 FROM bodies_organisation o WHERE o.id IN ({members})
    UNION
    SELECT l.successor_id, w.depth + 1 FROM walk w JOIN latest l ON l.predecessor_id = w.id WHERE w.depth < 32
)
SELECT w.id FROM walk w WHERE NOT EXISTS (SELECT 1 FROM latest l WHERE l.predecessor_id = w.id)
"""


def in_place_of_members_sql(partnership_id: int, on: datetime.date, standings, status: str) -> RawSQL:
    """A subquery of the organisations standing, on the day, in the place of the partnership's members
    of these standings and status (each member itself unless succeeded): for `pk__in=`, so callers keep
    one query."""
    members = (
        "SELECT m.organisation_id FROM bodies_membership m WHERE m.partnership_id = %s AND m.status = %s "
        "AND m.standing = ANY(%s) AND (m.effective_from IS NULL OR m.effective_from <= %s) "
        "AND (m.effective_to IS NULL OR m.effective_to >= %s)"
    )
    params = (on, on, partnership_id, status, list(standings), on, on)
    return RawSQL(_IN_PLACE_SQL.format(members=members), params)


def successors_as_at(organisation: Organisation, on: datetime.date | None = None) -> list[Organisation]:
    """The organisations standing in this one's place on the day (itself, if none has)."""
    ids = successor_ids_as_at([organisation.pk], on)[organisation.pk]
    if ids == [organisation.pk]:
        return [organisation]
    by_id = Organisation.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids]


def successor_as_at(organisation: Organisation, on: datetime.date | None = None) -> Organisation | None:
    """The one organisation standing in this one's place on the day (itself if none); None after a
    split, where several do (see successors_as_at)."""
    successors = successors_as_at(organisation, on)
    return successors[0] if len(successors) == 1 else None


def stand_ins(
    organisations: Iterable[Organisation], on: datetime.date | None = None
) -> dict[int, list[Organisation]]:
    """For each of the organisations, who stands in its place on the day, if anyone other than itself
    (two queries whatever the number: the successions, then the successors)."""
    organisations = list(organisations)
    mapping = successor_ids_as_at([o.pk for o in organisations], on)
    wanted = {pk for ids in mapping.values() for pk in ids} - {o.pk for o in organisations}
    by_id = {o.pk: o for o in organisations} | (Organisation.objects.in_bulk(wanted) if wanted else {})
    return {pk: [by_id[i] for i in ids] for pk, ids in mapping.items() if ids != [pk]}


@dataclass
class LineageStep:
    organisation: Organisation
    kind: str
    kind_display: str
    effective_on: datetime.date
    share_percent: Decimal | None
    note: str
    source: str
    depth: int


@dataclass
class Lineage:
    organisation: Organisation
    on: datetime.date
    predecessors: list[LineageStep] = field(default_factory=list)
    successors: list[LineageStep] = field(default_factory=list)
    former_names: list[OrganisationName] = field(default_factory=list)
    successors_in_force: list[Organisation] = field(default_factory=list)

    @property
    def successor(self) -> Organisation | None:
        return self.successors_in_force[0] if len(self.successors_in_force) == 1 else None


def lineage(organisation: Organisation, on: datetime.date | None = None) -> Lineage:
    """Predecessors and successors (all of them, with dates, kinds, shares and ODS codes), the
    organisation's former names, and who stands in its place on the day."""
    on = on or today()
    rows = list(
        OrganisationSuccession.objects.select_related("predecessor", "successor").order_by(
            "effective_on", "pk"
        )
    )
    forward: dict[int, list[OrganisationSuccession]] = {}
    backward: dict[int, list[OrganisationSuccession]] = {}
    for row in rows:
        forward.setdefault(row.predecessor_id, []).append(row)
        backward.setdefault(row.successor_id, []).append(row)
    result = Lineage(organisation=organisation, on=on)
    result.successors = _walk(organisation.pk, forward, "successor")
    result.predecessors = _walk(organisation.pk, backward, "predecessor")
    result.former_names = list(organisation.names.order_by("effective_from"))
    in_force = successor_ids_as_at([organisation.pk], on)[organisation.pk]
    known = {step.organisation.pk: step.organisation for step in result.successors} | {
        organisation.pk: organisation
    }
    result.successors_in_force = [known[pk] for pk in in_force if pk in known]
    return result


def _walk(start: int, edges: dict[int, list[OrganisationSuccession]], end: str) -> list[LineageStep]:
    steps, frontier, seen, depth = [], [start], {start}, 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        nxt = []
        for node in frontier:
            for row in edges.get(node, []):
                other = getattr(row, end)
                if other.pk in seen:
                    continue
                seen.add(other.pk)
                nxt.append(other.pk)
                steps.append(
                    LineageStep(
                        organisation=other,
                        kind=row.kind,
                        kind_display=row.get_kind_display(),
                        effective_on=row.effective_on,
                        share_percent=row.share_percent,
                        note=row.note,
                        source=row.source_citation,
                        depth=depth,
                    )
                )
        frontier = nxt
    return steps


# -- checks ---------------------------------------------------------------------------------------
def dissolved_q(on: datetime.date, prefix: str) -> Q:
    """Records whose organisation (at `prefix`) was dissolved before the day."""
    return Q(**{f"{prefix}dissolved_on__lt": on})


def _stand_in_words(organisation: Organisation, stand_in: dict[int, list[Organisation]]) -> str:
    successors = stand_in.get(organisation.pk)
    if successors:
        return (
            "its successor is "
            + " and ".join(o.name for o in successors)
            + "; move it to the successor or end it"
        )
    return "no successor is recorded; record its succession or end the record"


def dissolved_references(partnership, on: datetime.date, extra: Iterable[tuple] = ()) -> list[dict]:
    """The partnership's records in force on the day that still point at a dissolved organisation:
    memberships, appointments (representing), terms-of-reference seats (contacts), signatures and
    and what the caller adds in `extra` (code, what, organisation, ids), such as delegations to a
    dissolved organisation's own board (composition.checkruns). For the nightly checks."""
    from bodies.models import Appointment, Membership, TermsOfReference, TermsOfReferenceRole

    found: list[tuple[str, str, Organisation, dict]] = []
    for m in (
        Membership.objects.in_force(on)
        .filter(dissolved_q(on, "organisation__"), partnership=partnership)
        .select_related("organisation")
    ):
        found.append(
            (
                "membership_of_dissolved_organisation",
                f"The membership of {m.organisation.name}",
                m.organisation,
                {"membership_id": m.pk},
            )
        )
    for a in (
        Appointment.objects.in_force(on)
        .filter(dissolved_q(on, "representing__"), body__partnership=partnership)
        .select_related("representing", "person", "body")
    ):
        found.append(
            (
                "appointment_representing_dissolved_organisation",
                f"{a.person.name}'s appointment to {a.body.name}, representing {a.representing.name},",
                a.representing,
                {"appointment_id": a.pk, "body_id": a.body_id},
            )
        )
    terms = TermsOfReference.objects.in_force(on).filter(body__partnership=partnership)
    for r in TermsOfReferenceRole.objects.filter(
        dissolved_q(on, "organisation__"), terms_of_reference__in=terms
    ).select_related("organisation", "terms_of_reference__body"):
        body = r.terms_of_reference.body
        found.append(
            (
                "contact_at_dissolved_organisation",
                f"The seat “{r.title}” on {body.name}, held for {r.organisation.name},",
                r.organisation,
                {"body_id": body.pk},
            )
        )
    found.extend(extra)
    stand_in = stand_ins({item[2] for item in found}, on)
    return [
        {
            "code": code,
            "message": f"{what} points at {org.name}, dissolved on {_day(org.dissolved_on)}: {_stand_in_words(org, stand_in)}.",
            "organisation_id": org.pk,
            **ids,
        }
        for code, what, org, ids in found
    ]

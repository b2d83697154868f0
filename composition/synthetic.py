"""A deterministic synthetic registry at national (or regional, or test) scale.

`python manage.py generate_registry --size national` writes 500 partnerships with everything
that hangs off them: organisations, people, bodies with terms of reference, appointments,
matters and 100,000+ delegations (one partnership holds a 20,000-delegation scheme, for the
authority benchmark), meetings, 500,000 decisions with their ratifications, risk registers
with 100,000 risks, their reviews and actions, and the history of every row.

Why COPY and not the ORM: the ORM's `bulk_create` builds a model instance per row and an
INSERT per thousand; PostgreSQL's COPY takes a stream of rows, about ten times faster. Ids
are reserved from each table's sequence up front, so foreign keys are known without
RETURNING. Every database constraint still applies (checks, uniques, exclusion constraints
on effective dates, foreign keys): the generator is written to satisfy them, never to
disable them.

History: the pghistory insert triggers fire for every copied row, so each record gets its
"insert" event exactly as it would from the application (about as many event rows again as
data rows; it roughly doubles the write time, which stays within minutes). A tenth of the
risks are then re-scored with one UPDATE, which gives them "update" events and moves their
revision, as a real registry's history would show.

The same seed gives the same rows (ids included, on an empty database), so every benchmark
run reads the same pages.
"""

from __future__ import annotations

import datetime
import decimal
import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, models, transaction

SEED = 2016
VERSION = "registry v1"
SOURCE = "Synthetic registry data"


@dataclass(frozen=True)
class Size:
    name: str
    partnerships: int
    organisations: int
    people: int
    bodies_per_partnership: int  # plus one statutory board per `statutory_boards`
    statutory_boards: int
    matters_per_partnership: int  # x5 delegations each (chains of depth 5)
    large_scheme_matters: int  # partnership 0's matters: its 5x delegations make the big scheme
    meetings_per_body: int
    decisions_per_meeting: int
    risks_per_register: int

    @property
    def bodies(self) -> int:
        return self.partnerships * self.bodies_per_partnership + self.statutory_boards


SIZES = {
    # At least 500 partnerships, 20,000 organisations, 50,000 people, 10,000 bodies,
    # 100,000 delegations, 500,000 decisions, 100,000 risks.
    "national": Size("national", 500, 20_000, 50_000, 18, 1_000, 40, 4_000, 12, 5, 12),
    # Small enough for CI (a minute or two), the same shape.
    "regional": Size("regional", 25, 1_000, 2_500, 18, 50, 40, 400, 12, 5, 12),
    # For tests: a few of everything.
    "tiny": Size("tiny", 3, 40, 120, 6, 4, 4, 8, 3, 2, 3),
}

PLACES = [
    "Ashfield", "Barnsley", "Bassetlaw", "Bedford", "Blackburn", "Bolton", "Bradford", "Bristol",
    "Bury", "Calderdale", "Cambridge", "Carlisle", "Chesterfield", "Coventry", "Crewe", "Darlington",
    "Derby", "Doncaster", "Dorset", "Durham", "Erewash", "Exeter", "Gateshead", "Gloucester",
    "Grimsby", "Halifax", "Harrogate", "Hartlepool", "Hereford", "Huntingdon", "Ipswich", "Kendal",
    "Kirklees", "Leeds", "Leicester", "Lincoln", "Luton", "Mansfield", "Middlesbrough", "Newark",
]  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Alan", "Amrit", "Andrew", "Anne", "Chris", "Claire", "David", "Deborah", "Eleanor",
    "Fiona", "Gareth", "Hannah", "Ian", "Imran", "Jane", "John", "Julie", "Karen", "Kevin", "Linda",
    "Mark", "Mary", "Nadia", "Neil", "Paul", "Priya", "Rachel", "Sarah", "Simon", "Susan", "Wendy",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Bailey", "Barker", "Bennett", "Brown", "Clarke", "Cooper", "Davies", "Evans", "Green",
    "Hall", "Harris", "Hughes", "Jackson", "Jones", "Khan", "Lee", "Lewis", "Moore", "Patel", "Shaw",
    "Singh", "Smith", "Taylor", "Thomas", "Walker", "Ward", "White", "Williams", "Wilson", "Wright",
]  # fmt: skip
COMMITTEES = [
    "Partnership Board", "Finance Committee", "Quality Committee", "Audit Committee",
    "Remuneration Committee", "Clinical Reference Group", "Estates Board", "Digital Programme Board",
    "Workforce Group", "Primary Care Committee", "Urgent Care Delivery Group", "Population Health Forum",
    "Mental Health Programme Board", "Maternity Working Group", "Prevention Board",
    "Provider Collaborative", "Joint Committee of CCGs", "Citizens' Panel",
]  # fmt: skip
ORGANISATION_KINDS = ["ccg", "nhs_foundation_trust", "nhs_trust", "local_authority", "general_practice"]


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return (
            "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value) + "}"
        )
    if isinstance(value, dict):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Writer:
    """COPY rows into a model's table; ids reserved from its sequence so callers know them."""

    BATCH = 50_000  # rows per COPY statement

    def __init__(self, out=sys.stderr):
        self.out = out
        self.counts: dict[str, int] = {}
        self.started = time.perf_counter()

    def reserve(self, model: type[models.Model], n: int) -> int:
        """The first of `n` consecutive ids now reserved for `model`."""
        if n == 0:
            return 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s::regclass)", [sequence])
            (first,) = cursor.fetchone()
            cursor.execute("SELECT setval(%s::regclass, %s)", [sequence, first + n - 1])
        return first

    def columns(self, model: type[models.Model], first: dict) -> list[tuple[str, str, Callable[[], object]]]:
        """(attname, column, default) for every stored column the generator may fill; the id
        only when the rows give it (else the sequence numbers them)."""
        found = []
        for field in model._meta.concrete_fields:
            if isinstance(field, models.GeneratedField):
                continue
            if field.primary_key and field.attname not in first:
                continue
            if field.has_default():
                default = field.get_default
            elif field.null:
                default = _none
            elif isinstance(field, models.CharField | models.TextField):
                default = _blank
            else:
                default = _required(model, field.attname)
            found.append((field.attname, field.column, default))
        return found

    def copy(
        self, model: type[models.Model], rows: Iterable[dict], table: str | None = None, batch: int = BATCH
    ) -> int:
        """COPY dicts (by attname; absent columns take their default) into the table."""
        started = time.perf_counter()
        plain = table is not None  # an m2m through table: the rows' keys are its columns
        table = table or model._meta.db_table
        columns = None
        n = 0
        buffer = io.StringIO()
        names = None
        for row in rows:
            if columns is None:
                if plain:
                    columns = [(key, key, _required(model, key)) for key in row]
                else:
                    columns = self.columns(model, row)
            if names is None:
                names = ", ".join(f'"{column}"' for _, column, _ in columns)
            buffer.write(
                "\t".join(
                    _copy_text(row[attname] if attname in row else default())
                    for attname, _, default in columns
                )
            )
            buffer.write("\n")
            n += 1
            if n % batch == 0:
                self._flush(table, names, buffer)
                buffer = io.StringIO()
                self.progress(table, n, started, done=False)
        if buffer.tell():
            self._flush(table, names, buffer)
        self.counts[table] = self.counts.get(table, 0) + n
        self.progress(table, n, started, done=True)
        return n

    def _flush(self, table: str, names: str, buffer: io.StringIO) -> None:
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', buffer)

    def progress(self, table: str, n: int, started: float, done: bool) -> None:
        if self.out is None:
            return
        elapsed = time.perf_counter() - started
        rate = n / elapsed if elapsed else 0
        mark = "" if done else "…"
        print(
            f"  {table}: {n:,} rows{mark} in {elapsed:.1f}s ({rate:,.0f}/s; {time.perf_counter() - self.started:.0f}s in all)",
            file=self.out,
            flush=True,
        )

    def note(self, text: str) -> None:
        if self.out is not None:
            print(f"  {text}", file=self.out, flush=True)


def _none():
    return None


def _blank():
    return ""


def _required(model, name):
    def missing():
        raise ValueError(f"{model.__name__}.{name} needs a value")

    return missing


def src(i: int) -> dict:
    return {
        "source_document": f"{SOURCE}, paper {i % 97}",
        "source_reference": f"section {i % 13 + 1}" if i % 3 else "",
        "source_url": f"https://example.org/papers/{i % 1000}.pdf" if i % 2 else "",
    }


def day(start: datetime.date, offset: int) -> datetime.date:
    return start + datetime.timedelta(days=offset)


def generate(size: Size, *, seed: int = SEED, out=sys.stderr) -> dict[str, int]:
    """Write the whole registry in one transaction; return the row count per table."""
    from bodies import models as b
    from decisions import models as d
    from delegation import models as g
    from risks import models as r

    rng = random.Random(seed)
    w = Writer(out)
    P = size.partnerships

    with transaction.atomic():
        with connection.cursor() as cursor:
            # Foreign keys are DEFERRABLE INITIALLY DEFERRED: millions of queued checks slow every
            # later statement down. Checked at the end of each COPY instead (parents come first).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # -- people and partnerships ---------------------------------------------------------------
        person0 = w.reserve(b.Person, size.people)
        w.copy(
            b.Person,
            (
                {
                    "id": person0 + i,
                    "name": f"{FIRST_NAMES[i % 32]} {LAST_NAMES[(i * 7) % 31]} {i}",
                    "note": "Interim appointment." if i % 11 == 0 else "",
                    **src(i),
                }
                for i in range(size.people)
            ),
        )
        people = range(person0, person0 + size.people)

        partnership0 = w.reserve(b.Partnership, P)
        labels = [f"{PLACES[i % len(PLACES)]} {i // len(PLACES) + 1}" for i in range(P)]
        w.copy(
            b.Partnership,
            (
                {
                    "id": partnership0 + i,
                    "name": f"{labels[i]} Health and Care Partnership",
                    "short_name": labels[i] if i % 5 else "",
                    "slug": f"partnership-{i}",
                    "footprint_number": i + 1,
                    "region": ["North East and Yorkshire", "Midlands", "East of England", "South West"][
                        i % 4
                    ],
                    "population": 300_000 + (i * 7919) % 2_700_000,
                    "budget_gbp": decimal.Decimal(500_000_000 + (i * 104_729) % 4_500_000_000) / 100,
                    "lead_id": people[i],
                    "lead_role": f"Accountable Officer, NHS {labels[i]} CCG",
                    "description": f"The health and care partnership for {labels[i]}.",
                    **src(i),
                }
                for i in range(P)
            ),
        )
        partnerships = range(partnership0, partnership0 + P)

        def stages():
            for i, p in enumerate(partnerships):
                yield {
                    "partnership_id": p,
                    "stage": "stp",
                    "effective_from": datetime.date(2016, 3, 1),
                    "effective_to": datetime.date(2018, 3, 31),
                    **src(i),
                }
                yield {
                    "partnership_id": p,
                    "stage": "ics",
                    "effective_from": datetime.date(2018, 4, 1),
                    **src(i),
                }

        w.copy(b.PartnershipStage, stages())

        # -- organisations, successions, memberships, agreements -----------------------------------
        organisation0 = w.reserve(b.Organisation, size.organisations)
        organisation_kind = []

        def organisation_rows():
            for i in range(size.organisations):
                kind = ORGANISATION_KINDS[rng.randrange(len(ORGANISATION_KINDS))]
                organisation_kind.append(kind)
                place = PLACES[i % len(PLACES)]
                name = {
                    "ccg": f"NHS {place} CCG {i}",
                    "nhs_foundation_trust": f"{place} Hospitals NHS Foundation Trust {i}",
                    "nhs_trust": f"{place} Community Health NHS Trust {i}",
                    "local_authority": f"{place} Council {i}",
                    "general_practice": f"{LAST_NAMES[i % 31]} Road Surgery {i}, {place}",
                }[kind]
                yield {
                    "id": organisation0 + i,
                    "name": name,
                    "slug": f"organisation-{i}",
                    "kind": kind,
                    "is_statutory": kind != "general_practice",
                    "ods_code": f"{chr(65 + i % 26)}{i:05d}" if i % 4 else None,
                    "other_names": [f"Formerly {name}"] if i % 7 == 0 else [],
                    "established_on": datetime.date(1990 + i % 30, 1 + i % 12, 1) if i % 5 else None,
                    **src(i),
                }

        w.copy(b.Organisation, organisation_rows())
        organisations = range(organisation0, organisation0 + size.organisations)

        w.copy(
            b.OrganisationSuccession,
            (
                {
                    "predecessor_id": organisations[2 * i],
                    "successor_id": organisations[2 * i + 1],
                    "effective_on": datetime.date(2018 + i % 4, 4, 1),
                    "kind": "merger",
                    **src(i),
                }
                for i in range(size.organisations // 20)
            ),
        )

        # Each organisation is a member of one partnership, every third of a second one too.
        members: dict[int, list[int]] = {p: [] for p in partnerships}
        standings = [k for k, _ in b.Membership.Standing.choices]

        def membership_rows():
            for i, o in enumerate(organisations):
                homes = [partnerships[i % P]]
                if i % 3 == 0 and P > 1:
                    homes.append(partnerships[(i * 7 + 1) % P])
                for p in dict.fromkeys(homes):
                    members[p].append(o)
                    yield {
                        "partnership_id": p,
                        "organisation_id": o,
                        "standing": standings[i % len(standings)],
                        "status": "confirmed" if i % 10 else "to_be_confirmed",
                        "effective_from": datetime.date(2016, 3, 1) if i % 3 else None,
                        **src(i),
                    }

        w.copy(b.Membership, membership_rows())

        agreement0 = w.reserve(b.Agreement, 2 * P)
        w.copy(
            b.Agreement,
            (
                {
                    "id": agreement0 + 2 * i + n,
                    "partnership_id": p,
                    "slug": kind,
                    "kind": kind,
                    "title": f"{labels[i]} {title}",
                    "version": f"1.{n}",
                    "status": "in_force",
                    "agreed_on": datetime.date(2017, 1 + i % 12, 1),
                    "effective_from": datetime.date(2017, 4, 1),
                    "review_interval_months": 12,
                    **src(i),
                }
                for i, p in enumerate(partnerships)
                for n, (kind, title) in enumerate(
                    [("mou", "Memorandum of understanding"), ("governance_framework", "Governance framework")]
                )
            ),
        )
        w.copy(
            b.Signature,
            (
                {
                    "agreement_id": agreement0 + 2 * i + n,
                    "organisation_id": o,
                    "signatory_name": f"{FIRST_NAMES[j % 32]} {LAST_NAMES[j % 31]}",
                    "signatory_title": "Accountable Officer" if j % 2 else "Chief Executive",
                    "signed_on": datetime.date(2017, 3, 1 + j % 28),
                    **src(j),
                }
                for i, p in enumerate(partnerships)
                for n in range(2)
                for j, o in enumerate(members[p][:20])
            ),
        )

        # -- bodies and their terms of reference -----------------------------------------------------
        B = size.bodies_per_partnership
        body0 = w.reserve(b.Body, size.bodies)
        binds: dict[int, bool] = {}

        def body_id(i: int, n: int) -> int:
            return body0 + i * B + n

        def body_rows():
            kinds = ["committee", "sub_committee", "advisory_group", "forum", "programme_board"]
            for i, p in enumerate(partnerships):
                for n in range(B):
                    name = f"{labels[i]} {COMMITTEES[n % len(COMMITTEES)]}"
                    dissolved = n == B - 1
                    binds[body_id(i, n)] = n % 3 != 0  # a third need their decisions ratified
                    yield {
                        "id": body_id(i, n),
                        "partnership_id": p,
                        "name": name,
                        "short_name": "" if n % 4 else f"{labels[i][:3].upper()}-{n}",
                        "slug": f"body-{n}",
                        "kind": "board" if n == 0 else kinds[n % len(kinds)],
                        "status": "dissolved" if dissolved else "active",
                        "holds_delegated_authority": True,
                        "decisions_bind_partners": binds[body_id(i, n)],
                        "description": f"{name}: established under the partnership's governance framework.",
                        "effective_from": datetime.date(2016, 3, 1),
                        "effective_to": datetime.date(2022, 3, 31) if dissolved else None,
                        **src(i * B + n),
                    }
            for k in range(size.statutory_boards):
                o = organisations[(k * 17) % size.organisations]
                yield {
                    "id": body0 + P * B + k,
                    "organisation_id": o,
                    "name": f"Board of organisation {o}",
                    "slug": f"board-{o}",
                    "kind": "statutory_board",
                    "status": "active",
                    "decisions_bind_partners": False,
                    **src(k),
                }

        w.copy(b.Body, body_rows())
        all_bodies = range(body0, body0 + size.bodies)

        w.copy(
            b.BodyRelationship,
            (
                {
                    "from_body_id": body_id(i, n),
                    "to_body_id": body_id(i, 0),
                    "kind": "reports_to" if n % 4 else "accountable_to",
                    "effective_from": datetime.date(2016, 3, 1),
                    **src(n),
                }
                for i in range(P)
                for n in range(1, B)
            ),
        )

        def terms_rows():
            for k, body in enumerate(all_bodies):
                approver = body_id(k // B, 0) if k < P * B and k % B else None
                versions = [("approved", datetime.date(2017, 4, 1), None)]
                if k % 3 == 0:
                    versions = [
                        ("superseded", datetime.date(2017, 4, 1), datetime.date(2019, 3, 31)),
                        ("approved", datetime.date(2019, 4, 1), None),
                    ]
                if k % 10 == 0:
                    versions.append(("draft", None, None))
                for v, (status, start, end) in enumerate(versions, start=1):
                    yield {
                        "body_id": body,
                        "version": v,
                        "status": status,
                        "approved_by_id": approver if status != "draft" else None,
                        "approved_on": start - datetime.timedelta(days=14) if start else None,
                        "effective_from": start,
                        "effective_to": end,
                        "purpose": "To oversee the body's business on behalf of the partners.",
                        "quorum_rule": "One third of the voting members, including the chair or vice chair.",
                        "quorum_count": 3 if k % 2 else None,
                        "decision_method": "consensus",
                        "meeting_frequency": "monthly",
                        "duration_minutes_min": 60,
                        "duration_minutes_max": 120,
                        "review_interval_months": 12,
                        "next_review_due": datetime.date(2020 + k % 3, 4, 1),
                        **src(k),
                    }

        terms = list(terms_rows())
        terms0 = w.reserve(b.TermsOfReference, len(terms))
        for n, row in enumerate(terms):
            row["id"] = terms0 + n
        w.copy(b.TermsOfReference, terms)
        w.copy(
            b.TermsOfReferenceObjective,
            (
                {
                    "terms_of_reference_id": t["id"],
                    "position": n,
                    "heading": "Assurance" if n == 1 else "",
                    "text": f"To provide assurance to the partnership board on objective {n}.",
                }
                for t in terms
                for n in range(1, 4)
            ),
        )
        w.copy(
            b.TermsOfReferenceRole,
            (
                {
                    "terms_of_reference_id": t["id"],
                    "position": n,
                    "title": "Chair" if n == 1 else f"Director {n}",
                    "category": "member",
                    "voting": True,
                    "is_chair": n == 1,
                    "organisation_id": organisations[(t["id"] * 13 + n) % size.organisations]
                    if n % 2
                    else None,
                }
                for t in terms
                for n in range(1, 5)
            ),
        )
        del terms

        # Four appointments per body, four different people: a chair, a vice chair, two members.
        appointed: dict[int, list[int]] = {}

        def appointment_rows():
            roles = ["chair", "vice_chair", "member", "member"]
            for k, body in enumerate(all_bodies):
                chosen = [people[(k * 4 + n) % size.people] for n in range(4)]
                appointed[body] = chosen
                for n, person in enumerate(chosen):
                    yield {
                        "body_id": body,
                        "person_id": person,
                        "role": roles[n],
                        "title": "Director of Finance" if n % 2 else "Chief Executive",
                        "representing_id": organisations[(k * 5 + n) % size.organisations]
                        if n % 2 == 0
                        else None,
                        "voting": True,
                        "deputy_id": people[(k * 4 + 5) % size.people] if n == 0 else None,
                        "effective_from": datetime.date(2017, 4, 1),
                        **src(k),
                    }

        w.copy(b.Appointment, appointment_rows())

        # -- delegation: matters in chains of five delegations --------------------------------------
        matters_of: dict[int, int] = {}  # partnership index -> number of matters
        for i in range(P):
            matters_of[i] = size.large_scheme_matters if i == 0 else size.matters_per_partnership
        total_matters = sum(matters_of.values())
        matter0 = w.reserve(g.Matter, total_matters)
        matter_base, delegation_base = {}, {}
        running = 0
        for i in range(P):
            matter_base[i] = matter0 + running
            delegation_base[i] = running * 5  # offset from the first delegation id
            running += matters_of[i]
        categories = [k for k, _ in g.Matter.Category.choices]
        w.copy(
            g.Matter,
            (
                {
                    "id": matter_base[i] + m,
                    "partnership_id": p,
                    "slug": f"matter-{m}",
                    "name": f"Approve business cases of class {m}",
                    "category": categories[m % len(categories)],
                    **src(m),
                }
                for i, p in enumerate(partnerships)
                for m in range(matters_of[i])
            ),
        )
        delegation0 = w.reserve(g.Delegation, total_matters * 5)
        live = B - 1  # the last body is dissolved: nothing is delegated to it

        def chain(m: int) -> list[int]:
            """The body indexes along matter m's chain: the board first, then four others."""
            return [0] + [1 + (m + step) % (live - 1) for step in range(4)]

        def delegation_rows():
            for i, p in enumerate(partnerships):
                for m in range(matters_of[i]):
                    delegator = None
                    for depth, n in enumerate(chain(m)):
                        yield {
                            "id": delegation0 + delegation_base[i] + m * 5 + depth,
                            "partnership_id": p,
                            "matter_id": matter_base[i] + m,
                            "delegator_id": delegator,
                            "delegate_id": body_id(i, n),
                            "power": "approve",
                            "financial_limit_gbp": decimal.Decimal(1_000_000 - depth * 150_000),
                            "further_delegation_permitted": depth < 4,
                            "conditions": "Within the approved budget." if depth == 2 else "",
                            **src(m),
                        }
                        delegator = body_id(i, n)

        w.copy(g.Delegation, delegation_rows())
        w.copy(
            g.Reservation,
            (
                {
                    "partnership_id": p,
                    "matter_id": matter_base[i] + n,
                    "reserved_to": "ccg_governing_body" if n else "nhs_statutory_board",
                    "power": "approve",
                    **src(i),
                }
                for i, p in enumerate(partnerships)
                for n in range(2)
            ),
        )
        route0 = w.reserve(g.ApprovalRoute, 3 * P)
        route_categories = [k for k, _ in g.ApprovalRoute.Category.choices]
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
                for i, p in enumerate(partnerships)
                for n, category in enumerate(route_categories)
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
        w.copy(
            g.ApprovalStage.acting_bodies.through,
            (
                {"approvalstage_id": stage0 + 3 * k + s, "body_id": body_id(k // 3, s)}
                for k in range(3 * P)
                for s in range(3)
            ),
            table=g.ApprovalStage.acting_bodies.through._meta.db_table,
        )

        # -- meetings, decisions, ratifications ----------------------------------------------------
        decision_bodies = [(i, n) for i in range(P) for n in range(live)]
        M = size.meetings_per_body
        meeting0 = w.reserve(d.Meeting, len(decision_bodies) * M)
        utc = datetime.UTC

        def meeting_id(k: int, j: int) -> int:
            return meeting0 + k * M + j

        def meeting_day(k: int, j: int) -> datetime.date:
            return day(datetime.date(2017, 1, 10), j * 35 + k % 20)

        def meeting_rows():
            for k, (i, n) in enumerate(decision_bodies):
                for j in range(M):
                    starts = datetime.datetime.combine(meeting_day(k, j), datetime.time(10, 0), tzinfo=utc)
                    yield {
                        "id": meeting_id(k, j),
                        "body_id": body_id(i, n),
                        "title": "Extraordinary meeting" if j % 7 == 6 else "",
                        "starts_at": starts,
                        "ends_at": starts + datetime.timedelta(hours=2),
                        "place": f"Room {1 + j % 4}, {labels[i]} House",
                        "status": "held",
                        "notice_given_on": meeting_day(k, j) - datetime.timedelta(days=7),
                        "minutes_approved_at_id": meeting_id(k, j + 1) if j + 1 < M else None,
                        **src(k),
                    }

        w.copy(d.Meeting, meeting_rows(), batch=M * 4_000)  # a body's meetings in one COPY: they refer on

        def attendance_rows():
            for k, (i, n) in enumerate(decision_bodies):
                for j in range(0, M, 4):
                    for a, person in enumerate(appointed[body_id(i, n)]):
                        represented = a == 0 and j % 8 == 4
                        yield {
                            "meeting_id": meeting_id(k, j),
                            "person_id": person,
                            "status": "represented_by_deputy"
                            if represented
                            else ("apologies" if a == 3 else "present"),
                            "deputy_id": people[(k * 4 + 5) % size.people] if represented else None,
                            "voting": True,
                        }

        w.copy(d.Attendance, attendance_rows())

        agenda0 = w.reserve(d.AgendaItem, len(decision_bodies))
        w.copy(
            d.AgendaItem,
            (
                {
                    "id": agenda0 + k,
                    "meeting_id": meeting_id(k, 0),
                    "position": 1,
                    "reference": "1",
                    "title": "Business case for approval",
                    **src(k),
                }
                for k in range(len(decision_bodies))
            ),
        )

        interest0 = w.reserve(d.Interest, P * 4)
        w.copy(
            d.Interest,
            (
                {
                    "id": interest0 + 4 * i + a,
                    "partnership_id": p,
                    "person_id": appointed[body_id(i, 1)][a],
                    "kind": "financial" if a % 2 else "non_financial_professional",
                    "description": "Director of a provider company.",
                    "organisation_id": members[p][a % len(members[p])] if members[p] else None,
                    "declared_on": datetime.date(2017, 4, 1),
                    "effective_from": datetime.date(2017, 4, 1),
                    "withheld": a == 3,
                    "withheld_reason": "Personal safety." if a == 3 else "",
                    **src(i),
                }
                for i, p in enumerate(partnerships)
                for a in range(4)
            ),
        )
        w.copy(
            d.Declaration,
            (
                {
                    "meeting_id": meeting_id(k, 0),
                    "agenda_item_id": agenda0 + k,
                    "person_id": appointed[body_id(i, n)][2],
                    "nature": "A financial interest in a bidder.",
                    "management": "left_the_meeting",
                    "managed_by_id": appointed[body_id(i, n)][0],
                    **src(k),
                }
                for k, (i, n) in enumerate(decision_bodies)
                if k % 5 == 0
            ),
        )
        proposal0 = w.reserve(d.Proposal, P * 3)
        w.copy(
            d.Proposal,
            (
                {
                    "id": proposal0 + 3 * i + c,
                    "partnership_id": p,
                    "title": f"Proposal {c + 1} of {labels[i]}",
                    "category": route_categories[c],
                    "route_id": route0 + 3 * i + c,
                    "amount_gbp": decimal.Decimal(250_000 * (c + 1)),
                    "stage_reached": 1,
                    "status": "in_progress",
                    **src(i),
                }
                for i, p in enumerate(partnerships)
                for c in range(3)
            ),
        )

        D = size.decisions_per_meeting
        decision_count = len(decision_bodies) * M * D
        urgent_every = 50  # one in fifty is an urgent decision outside a meeting
        decision0 = w.reserve(d.Decision, decision_count)
        ratify: list[tuple[int, int, datetime.date, int]] = []  # (decision, partnership, date, status)

        def decision_rows():
            outcomes = ["carried"] * 8 + ["not_carried", "deferred"]
            for k, (i, n) in enumerate(decision_bodies):
                body = body_id(i, n)
                matters_here = [m for m in range(min(matters_of[i], 40)) if n in chain(m)] or [0]
                for j in range(M):
                    on = meeting_day(k, j)
                    for e in range(D):
                        x = (k * M + j) * D + e
                        pk = decision0 + x
                        urgent = x % urgent_every == 7
                        m = matters_here[x % len(matters_here)]
                        depth = chain(m).index(n) if n in chain(m) else None
                        outcome = outcomes[x % len(outcomes)]
                        rescinded = x % 101 == 0
                        restricted = x % 37 == 0
                        if rescinded:
                            status = "rescinded"
                        elif binds[body] or outcome != "carried":
                            status = "effective"
                        else:
                            status = "awaiting_ratification" if j >= M - 2 else "effective"
                            ratify.append((pk, i, on, status == "awaiting_ratification"))
                        yield {
                            "id": pk,
                            "body_id": body,
                            "meeting_id": None if urgent else meeting_id(k, j),
                            "urgent": urgent,
                            "urgency_reason": "A contract deadline before the next meeting."
                            if urgent
                            else "",
                            "taken_by_id": appointed[body][0] if urgent else None,
                            "reported_at_id": meeting_id(k, j + 1) if urgent and j + 1 < M else None,
                            "matter_id": matter_base[i] + m,
                            "power": "approve",
                            "amount_gbp": decimal.Decimal(10_000 + (x * 7919) % 400_000),
                            "resolution": f"The committee approved business case {x} within its delegated limit.",
                            "outcome": outcome,
                            "votes_for": 6 if e % 2 else None,
                            "votes_against": 1 if e % 2 else None,
                            "votes_abstaining": 0 if e % 2 else None,
                            "minute_reference": f"{j + 1}.{e + 1}",
                            "decided_on": on,
                            "delegation_id": (
                                delegation0 + delegation_base[i] + m * 5 + depth
                                if depth is not None
                                else None
                            ),
                            "authority_explanation": "Delegated by the partnership board within the limit.",
                            "recorded_as": "decision",
                            "status": status,
                            "effective_on": on if status == "effective" else None,
                            "restricted": restricted,
                            "restriction_reason": "Commercially confidential." if restricted else "",
                            "rescinded_on": day(on, 60) if rescinded else None,
                            "rescission_reason": "Superseded by a later decision." if rescinded else "",
                            **src(x),
                        }

        w.copy(d.Decision, decision_rows())

        def ratification_rows():
            for pk, i, on, pending in ratify:
                parties = members[partnerships[i]]
                for q in range(2):
                    organisation = parties[(pk + q) % len(parties)] if len(parties) > 1 else None
                    if organisation is None or (
                        q == 1 and parties[(pk + 1) % len(parties)] == parties[pk % len(parties)]
                    ):
                        continue
                    yield {
                        "decision_id": pk,
                        "organisation_id": organisation,
                        "outcome": "pending" if pending else "ratified",
                        "decided_on": None if pending else day(on, 21),
                        "minute_reference": "" if pending else f"R{pk % 1000}",
                        **src(pk),
                    }

        w.copy(d.Ratification, ratification_rows())
        ratify.clear()

        # -- risks -----------------------------------------------------------------------------------
        w.copy(r.ScoringMatrix, ({"partnership_id": p, **src(i)} for i, p in enumerate(partnerships)))
        matrix = r.ScoringMatrix()
        register0 = w.reserve(r.RiskRegister, len(decision_bodies))
        w.copy(
            r.RiskRegister,
            (
                {
                    "id": register0 + k,
                    "partnership_id": partnerships[i],
                    "body_id": body_id(i, n),
                    "review_interval_months": 3,
                    **src(k),
                }
                for k, (i, n) in enumerate(decision_bodies)
            ),
        )
        R = size.risks_per_register
        risk0 = w.reserve(r.Risk, len(decision_bodies) * R)
        appetites = [a.value for a in r.Appetite]
        risk_categories = [k for k, _ in r.Risk.Category.choices]

        def levels(x: int, salt: int) -> tuple[int, int]:
            return 1 + (x * 7 + salt) % 5, 1 + (x * 11 + salt * 3) % 5

        def risk_rows():
            for k, (i, n) in enumerate(decision_bodies):
                for q in range(R):
                    x = k * R + q
                    il, ic = levels(x, 4)
                    cl, cc = min(il, levels(x, 2)[0]), min(ic, levels(x, 2)[1])
                    tl, tc = min(cl, 2), min(cc, 2)
                    appetite = appetites[x % len(appetites)]
                    status = "open" if x % 9 else "closed"
                    identified = datetime.date(2017, 1 + x % 12, 1 + x % 28)
                    yield {
                        "id": risk0 + x,
                        "partnership_id": partnerships[i],
                        "register_id": register0 + k,
                        "reference": f"R-{n:02d}-{q:03d}",
                        "title": f"Risk {x}: delivery of the programme is delayed",
                        "description": "Insufficient capacity to deliver the plan on time.",
                        "cause": "Workforce shortages.",
                        "effect": "Patients wait longer.",
                        "category": risk_categories[x % len(risk_categories)],
                        "owner_id": appointed[body_id(i, n)][x % 4],
                        "owner_title": "Director of Finance",
                        "lead_organisation_id": members[partnerships[i]][0]
                        if members[partnerships[i]]
                        else None,
                        "inherent_likelihood": il,
                        "inherent_consequence": ic,
                        "current_likelihood": cl,
                        "current_consequence": cc,
                        "target_likelihood": tl,
                        "target_consequence": tc,
                        "inherent_band": matrix.band_for(il * ic),
                        "current_band": matrix.band_for(cl * cc),
                        "target_band": matrix.band_for(tl * tc),
                        "appetite": appetite,
                        "tolerable_score": matrix.tolerable_score(appetite),
                        "controls": "Monthly monitoring by the committee.",
                        "status": status,
                        "identified_on": identified,
                        "closed_on": day(identified, 400) if status != "open" else None,
                        "last_reviewed_on": datetime.date(2019, 6, 1),
                        "next_review_due": day(datetime.date(2019, 9, 1), x % 90),
                        **src(x),
                    }

        w.copy(r.Risk, risk_rows())
        risks_total = len(decision_bodies) * R

        def review_rows():
            for x in range(risks_total):
                for v, reviewed in enumerate((datetime.date(2019, 3, 1), datetime.date(2019, 6, 1))):
                    cl, cc = levels(x, 2 + v)
                    tl, tc = min(cl, 2), min(cc, 2)
                    yield {
                        "risk_id": risk0 + x,
                        "reviewed_on": reviewed,
                        "reviewer_id": people[x % size.people],
                        "current_likelihood": cl,
                        "current_consequence": cc,
                        "target_likelihood": tl,
                        "target_consequence": tc,
                        "current_band": matrix.band_for(cl * cc),
                        "target_band": matrix.band_for(tl * tc),
                        "note": "Quarterly review: scores unchanged." if v else "",
                    }

        w.copy(r.RiskReview, review_rows())
        w.copy(
            r.RiskAction,
            (
                {
                    "risk_id": risk0 + x,
                    "description": "Recruit to the vacant posts.",
                    "owner_id": people[(x * 3) % size.people],
                    "due_on": day(datetime.date(2019, 1, 1), x % 365),
                    "status": "completed" if x % 4 == 0 else "in_progress",
                    "completed_on": day(datetime.date(2019, 1, 1), x % 365) if x % 4 == 0 else None,
                }
                for x in range(risks_total)
            ),
        )
        w.copy(
            r.RiskEscalation,
            (
                {
                    "risk_id": risk0 + k * R,
                    "from_register_id": register0 + k,
                    "to_body_id": body_id(i, 0),
                    "escalated_on": datetime.date(2019, 6, 2),
                    "reason": "Above appetite for two quarters.",
                    "response": "accepted" if k % 2 else "pending",
                    "responded_on": datetime.date(2019, 7, 1) if k % 2 else None,
                }
                for k, (i, n) in enumerate(decision_bodies)
                if n != 0 and k % 4 == 1
            ),
        )

        # -- later history: a tenth of the risks re-scored -------------------------------------------
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE risks_risk SET controls = controls || ' Reviewed quarterly.' "
                "WHERE id BETWEEN %s AND %s AND id %% 10 = 0",
                [risk0, risk0 + risks_total - 1],
            )
            w.note(
                f"risks re-scored: {cursor.rowcount:,} (update events) in {time.perf_counter() - started:.1f}s"
            )
    return w.counts

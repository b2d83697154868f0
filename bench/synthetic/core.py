"""What every table group of the generator shares: the sizes, the COPY writer, and the build
(the ids each group reserves and the next one refers to)."""

from __future__ import annotations

import datetime
import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as default

from django.db import connection, models

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
    # Small enough for CI, the same shape.
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


@dataclass
class Build:
    """One generation run: the writer, and what each table group leaves for the next (first ids
    reserved, who is a member where, who sits on which body)."""

    size: Size
    rng: random.Random
    w: Writer
    labels: list[str] = default(default_factory=list)
    people: range = range(0)
    partnerships: range = range(0)
    organisations: range = range(0)
    members: dict[int, list[int]] = default(default_factory=dict)  # partnership -> organisations
    body0: int = 0
    binds: dict[int, bool] = default(default_factory=dict)  # body -> its decisions bind the partners
    appointed: dict[int, list[int]] = default(default_factory=dict)  # body -> its four people
    matters_of: dict[int, int] = default(default_factory=dict)  # partnership index -> number of matters
    matter_base: dict[int, int] = default(default_factory=dict)
    delegation_base: dict[int, int] = default(default_factory=dict)  # offset from the first delegation id
    delegation0: int = 0
    route0: int = 0
    route_categories: list[str] = default(default_factory=list)
    meeting0: int = 0

    @property
    def P(self) -> int:
        return self.size.partnerships

    @property
    def B(self) -> int:
        return self.size.bodies_per_partnership

    @property
    def M(self) -> int:
        return self.size.meetings_per_body

    @property
    def live(self) -> int:
        """Bodies per partnership that delegations and decisions reach: the last is dissolved."""
        return self.B - 1

    @property
    def decision_bodies(self) -> list[tuple[int, int]]:
        """(partnership index, body index) of every live body, in the order meetings are numbered."""
        return [(i, n) for i in range(self.P) for n in range(self.live)]

    def body_id(self, i: int, n: int) -> int:
        return self.body0 + i * self.B + n

    def chain(self, m: int) -> list[int]:
        """The body indexes along matter m's chain: the board first, then four others."""
        return [0] + [1 + (m + step) % (self.live - 1) for step in range(4)]

    def meeting_id(self, k: int, j: int) -> int:
        return self.meeting0 + k * self.M + j

    def meeting_day(self, k: int, j: int) -> datetime.date:
        return day(datetime.date(2017, 1, 10), j * 35 + k % 20)

"""Reading NHS Organisation Data Service (ODS) files in their published CSV layouts (issue 17).

NHS England publishes its organisation extracts as header-less CSV files of 27 columns, the same
"standard" layout for each (ODS Data Search and Export, "CSV downloads"; formerly the TRUD and
NHS Digital "organisation data" pages):

| file | holds | kind given here |
| --- | --- | --- |
| `etr.csv` | NHS trusts (foundation trusts among them) | NHS trust / NHS foundation trust (by name) |
| `ets.csv` | NHS trust sites | other |
| `eccg.csv` | clinical commissioning groups (later sub-ICB locations) | clinical commissioning group |
| `epraccur.csv` | GP practices (prescribing cost centres) | general practice |
| `eauth.csv` | local authorities | local authority |
| other `e*.csv` in the same layout | | other |

Columns read (1-based): 1 organisation code, 2 name, 11 open date, 12 close date (`YYYYMMDD`); the
others (addresses, groupings, `epraccur`'s status code and parent) are not kept by the registry.

The successor file `succ.csv` (same download page) is header-less too: 1 predecessor's code,
2 successor's code, 3 reason for the succession, 4 effective date (`YYYYMMDD`), 5 indicator.

Nothing is written while reading: `plan_ods_import` proposes creates, updates and successions,
matched by ODS code (case-insensitively), and `apply_ods_plan` writes them in one transaction.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from bodies.models import Organisation, OrganisationSuccession
from bodies.organisations import propose_organisation_change
from bodies.successions import record_succession
from core.access import restrict

ORGANISATION_COLUMNS = 27
KIND_BY_FILE = {
    "etr": Organisation.Kind.NHS_TRUST,
    "eccg": Organisation.Kind.CCG,
    "epraccur": Organisation.Kind.GENERAL_PRACTICE,
    "eauth": Organisation.Kind.LOCAL_AUTHORITY,
}
STATUTORY_KINDS = {
    Organisation.Kind.NHS_TRUST,
    Organisation.Kind.NHS_FOUNDATION_TRUST,
    Organisation.Kind.CCG,
    Organisation.Kind.LOCAL_AUTHORITY,
}
SOURCE = "NHS ODS {file}"
SOURCE_URL = "https://digital.nhs.uk/services/organisation-data-service/data-search-and-export/csv-downloads"
CAPITALS_KEPT = {"NHS", "CCG", "ICB", "GP", "PCN", "UK", "CIC", "LLP", "ICS", "STP"}
SMALL_WORDS = {"and", "of", "the", "for", "on", "upon", "in"}


class OdsFileError(ValueError):
    """The file is not one of the published layouts: said in words, for the form."""


@dataclass
class OdsRow:
    line: int
    code: str
    name: str = ""
    opened: datetime.date | None = None
    closed: datetime.date | None = None
    successor_code: str = ""
    effective_on: datetime.date | None = None
    reason: str = ""


@dataclass
class OdsChange:
    """One line of the preview: what would happen, in words."""

    action: str  # "create", "update", "unchanged", "succession", "proposed", "error"
    code: str
    name: str
    detail: str = ""
    values: dict = field(default_factory=dict)
    organisation_id: int | None = None
    successor_code: str = ""
    effective_on: datetime.date | None = None

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


ACTION_LABELS = {"create": "Add", "update": "Update", "succession": "Succession", "proposed": "Propose",
                 "error": "Error", "unchanged": "No change"}  # fmt: skip


@dataclass
class OdsPlan:
    file_kind: str
    changes: list[OdsChange]

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            action: self.count(action)
            for action in ("create", "update", "succession", "proposed", "unchanged", "error")
        }


def readable_name(name: str) -> str:
    """ODS names are in capitals: `DERBY AND BURTON HOSPITALS NHS FOUNDATION TRUST` reads as
    `Derby and Burton Hospitals NHS Foundation Trust`."""
    words = []
    for word in name.split():
        if word.upper() in CAPITALS_KEPT:
            words.append(word.upper())
        elif word.lower() in SMALL_WORDS and words:
            words.append(word.lower())
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)


def _date(value: str, line: int, what: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise OdsFileError(f"Line {line}: the {what} “{value}” is not a date written YYYYMMDD.") from None


def file_kind_of(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    return stem


def read_ods_file(content: bytes | str, filename: str) -> tuple[str, list[OdsRow]]:
    """The rows of a published ODS CSV file; the layout is told by the file's name and width."""
    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
    kind = file_kind_of(filename)
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        raise OdsFileError("The file is empty.")
    successor_file = kind.startswith("succ") or len(rows[0]) in (4, 5)
    if successor_file:
        return "succ", [_successor_row(number, row) for number, row in enumerate(rows, start=1)]
    if len(rows[0]) != ORGANISATION_COLUMNS:
        raise OdsFileError(
            f"The file has {len(rows[0])} columns on its first line: an ODS organisation file has "
            f"{ORGANISATION_COLUMNS} and the successor file 5. Download the CSV from the ODS pages unchanged."
        )
    return kind, [_organisation_row(number, row) for number, row in enumerate(rows, start=1)]


def _organisation_row(line: int, row: list[str]) -> OdsRow:
    if len(row) < 12:
        raise OdsFileError(
            f"Line {line} has {len(row)} columns; an ODS organisation file has {ORGANISATION_COLUMNS}."
        )
    code = row[0].strip().upper()
    if not code:
        raise OdsFileError(f"Line {line} has no organisation code in its first column.")
    return OdsRow(
        line=line,
        code=code,
        name=row[1].strip(),
        opened=_date(row[10], line, "open date"),
        closed=_date(row[11], line, "close date"),
    )


def _successor_row(line: int, row: list[str]) -> OdsRow:
    if len(row) < 4:
        raise OdsFileError(f"Line {line} has {len(row)} columns; the ODS successor file has 5.")
    return OdsRow(
        line=line,
        code=row[0].strip().upper(),
        successor_code=row[1].strip().upper(),
        reason=row[2].strip(),
        effective_on=_date(row[3], line, "effective date"),
    )


def _kind_for(file_kind: str, name: str) -> str:
    kind = KIND_BY_FILE.get(file_kind, Organisation.Kind.OTHER)
    if kind == Organisation.Kind.NHS_TRUST and "FOUNDATION TRUST" in name.upper():
        return Organisation.Kind.NHS_FOUNDATION_TRUST
    return kind


def plan_ods_import(*, file_kind: str, rows: list[OdsRow], user, create_missing: bool = True) -> OdsPlan:
    """What importing the rows would do, matched by code; nothing is written."""
    codes = {row.code for row in rows} | {row.successor_code for row in rows if row.successor_code}
    known = {org.ods_code: org for org in Organisation.objects.filter(ods_code__in=codes)}
    editable = set(
        restrict(Organisation.objects.filter(ods_code__in=codes), user, "change").values_list("pk", flat=True)
    )
    if file_kind == "succ":
        return OdsPlan(file_kind, [_plan_succession(row, known) for row in rows])
    changes = []
    for row in rows:
        organisation = known.get(row.code)
        if organisation is None:
            if create_missing:
                changes.append(_plan_create(file_kind, row))
            continue
        changes.append(_plan_update(row, organisation, editable))
    return OdsPlan(file_kind, changes)


def _plan_create(file_kind: str, row: OdsRow) -> OdsChange:
    name = readable_name(row.name)
    kind = _kind_for(file_kind, row.name)
    values = {
        "name": name,
        "kind": kind,
        "is_statutory": kind in STATUTORY_KINDS,
        "established_on": row.opened,
        "dissolved_on": row.closed,
    }
    detail = f"New organisation ({Organisation.Kind(kind).label})"
    if row.closed:
        detail += f", closed on {row.closed:%-d %B %Y}"
    return OdsChange("create", row.code, name, detail, values)


def _plan_update(row: OdsRow, organisation: Organisation, editable: set[int]) -> OdsChange:
    values = {}
    if row.opened and organisation.established_on != row.opened:
        values["established_on"] = row.opened
    if row.closed != organisation.dissolved_on and row.closed is not None:
        values["dissolved_on"] = row.closed
    if not values:
        return OdsChange(
            "unchanged", row.code, organisation.name, "Already as ODS has it", {}, organisation.pk
        )
    detail = "; ".join(f"{_label(name)} {value:%-d %B %Y}" for name, value in values.items())
    action = "update" if organisation.pk in editable else "proposed"
    if action == "proposed":
        detail += " (shared with partnerships that are not yours: proposed to a registry administrator)"
    return OdsChange(action, row.code, organisation.name, detail, values, organisation.pk)


def _label(name: str) -> str:
    return {"established_on": "established", "dissolved_on": "closed"}[name]


def _plan_succession(row: OdsRow, known: dict[str, Organisation]) -> OdsChange:
    predecessor, successor = known.get(row.code), known.get(row.successor_code)
    name = predecessor.name if predecessor else row.code
    if predecessor is None or successor is None:
        missing = row.code if predecessor is None else row.successor_code
        return OdsChange(
            "unchanged", row.code, name, f"{missing} is not in the registry: nothing to record", {},
            successor_code=row.successor_code,
        )  # fmt: skip
    if OrganisationSuccession.objects.filter(predecessor=predecessor, successor=successor).exists():
        return OdsChange("unchanged", row.code, name, f"Succeeded by {successor.name}: already recorded", {})
    if row.effective_on is None:
        return OdsChange(
            "error", row.code, name, f"Line {row.line}: the succession has no effective date.", {}
        )
    return OdsChange(
        "succession", row.code, name, f"Succeeded by {successor.name} from {row.effective_on:%-d %B %Y}",
        {"reason": row.reason}, predecessor.pk, successor_code=row.successor_code, effective_on=row.effective_on,
    )  # fmt: skip


def _unique_slug(name: str, code: str) -> str:
    base = slugify(name)[:100] or code.lower()
    slug = base
    if Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{code.lower()}"[:120]
    return slug


@transaction.atomic
def apply_ods_plan(*, plan: OdsPlan, user, source_document: str = "") -> dict[str, int]:
    """Write the plan in one transaction: creates and updates through the model's validation,
    successions through `record_succession`; changes to organisations the user may not change are
    stored as proposals for a registry administrator. Any refusal undoes the whole import."""
    source = source_document or SOURCE.format(file=plan.file_kind)
    done = {"create": 0, "update": 0, "succession": 0, "proposed": 0}
    for change in plan.changes:
        if change.action == "create":
            organisation = Organisation(
                ods_code=change.code, slug=_unique_slug(change.name, change.code), source_document=source,
                source_url=SOURCE_URL, **change.values,
            )  # fmt: skip
            _save(organisation, change)
        elif change.action == "update":
            organisation = Organisation.objects.select_for_update().get(pk=change.organisation_id)
            for name, value in change.values.items():
                setattr(organisation, name, value)
            _save(organisation, change)
        elif change.action == "proposed":
            propose_organisation_change(
                organisation=Organisation.objects.get(pk=change.organisation_id),
                changes=change.values,
                user=user,
                reason=f"From the ODS file {plan.file_kind}.csv",
            )
        elif change.action == "succession":
            record_succession(
                predecessor=Organisation.objects.get(pk=change.organisation_id),
                successor=Organisation.objects.get(ods_code=change.successor_code),
                effective_on=change.effective_on,
                kind=OrganisationSuccession.Kind.MERGER,
                note=change.values.get("reason", ""),
                source_document=source,
                source_url=SOURCE_URL,
            )
        else:
            continue
        done[change.action] += 1
    return done


def _save(organisation: Organisation, change: OdsChange) -> None:
    try:
        organisation.full_clean()
    except ValidationError as error:
        raise ValidationError(f"{change.code} {change.name}: {' '.join(error.messages)}") from error
    organisation.save()

"""Spreadsheet import of a partnership (issue 17): a workbook of organisations and memberships, bodies and
their relationships, people and appointments, terms of reference with objectives and roles.

The workbook is read with openpyxl; each sheet's first row names its columns (in words, as in the
template `template_workbook()` makes, whose first sheet explains every column). Importing runs every
row through the model's own validation and the database's constraints (the same rules as the forms),
each row in its own savepoint so that one refusal is reported in words and the others still checked.
A preview runs the whole import and rolls it back; a confirmed import runs it again and commits only
if no row was refused: all or nothing, in one transaction, recorded in the history like any change.

A row matching a record already in the registry changes it (an empty cell leaves a value as it is), so a
secretariat can keep its partnership in one workbook and upload it again after editing: the preview says
each change as "field: before → after". Approved terms of reference are not changed in place: a new
version is.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.formats import date_format
from django.utils.text import slugify
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from bodies import services
from bodies.models import (
    Appointment,
    Body,
    BodyRelationship,
    Membership,
    Organisation,
    Partnership,
    Person,
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
)


class WorkbookError(ValueError):
    """The file cannot be read as the template's workbook: said in words."""


# Sheet -> columns: (heading, key, required, explanation).
SHEETS: dict[str, list[tuple[str, str, bool, str]]] = {
    "Organisations": [
        ("Name", "name", True, "The organisation's name as published."),
        ("ODS code", "ods_code", False, "Its NHS ODS code, if it has one (RTG, 15M). Matched first."),
        ("Kind", "kind", False, "Only for a new organisation: " + "; ".join(Organisation.Kind.labels) + "."),
        ("Statutory", "is_statutory", False, "Yes or no (new organisations only)."),
        ("Standing", "standing", True, "; ".join(Membership.Standing.labels) + "."),
        ("Member from", "effective_from", False, "Date, dd/mm/yyyy."),
        ("Member until", "effective_to", False, "Date, dd/mm/yyyy; empty while it lasts."),
        ("Status", "status", False, "; ".join(Membership.Status.labels) + " (default confirmed)."),
    ],
    "Bodies": [
        ("Name", "name", True, "The board, committee or group."),
        ("Short name", "short_name", False, ""),
        (
            "Kind",
            "kind",
            True,
            "; ".join(label for value, label in Body.Kind.choices if value != "statutory_board") + ".",
        ),
        ("Status", "status", False, "; ".join(Body.Status.labels) + " (default active)."),
        ("From", "effective_from", False, "Date it was established."),
        ("Until", "effective_to", False, "Date it was dissolved."),
        ("Description", "description", False, ""),
    ],
    "Relationships": [
        ("Body", "from_body", True, "A body of this workbook or already in the partnership."),
        ("Relationship", "kind", True, "; ".join(BodyRelationship.Kind.labels) + "."),
        ("To body", "to_body", True, "Another body of the partnership."),
        ("From", "effective_from", False, "Date."),
    ],
    "People": [
        (
            "Name",
            "name",
            True,
            "Someone already in the registry with this exact name is used, not added again.",
        ),
        ("Email", "email", False, ""),
    ],
    "Appointments": [
        ("Body", "body", True, "A body of this workbook or already in the partnership."),
        ("Person", "person", True, "A person of the People sheet or already in the registry."),
        ("Role", "role", True, "; ".join(Appointment.Role.labels) + "."),
        ("Post", "title", False, "Their post, as published."),
        ("Representing", "representing", False, "An organisation's name or ODS code."),
        ("Voting", "voting", False, "Yes or no (default yes)."),
        ("From", "effective_from", False, "Date."),
        ("Until", "effective_to", False, "Date."),
    ],
    "Terms of reference": [
        ("Body", "body", True, ""),
        ("Version", "version", True, "1, 2, ..."),
        ("Status", "status", False, "Draft or approved (default draft)."),
        ("Approved on", "approved_on", False, "Date (approved versions)."),
        ("In force from", "effective_from", False, "Date (approved versions)."),
        ("Purpose", "purpose", False, ""),
        ("Quorum", "quorum_rule", False, "The quorum rule in the document's words."),
        (
            "Decision method",
            "decision_method",
            False,
            "; ".join(TermsOfReference.DecisionMethod.labels) + ".",
        ),
        ("Meeting frequency", "meeting_frequency", False, "; ".join(TermsOfReference.Frequency.labels) + "."),
    ],
    "Objectives": [
        ("Body", "body", True, ""),
        ("Version", "version", True, ""),
        ("Heading", "heading", False, ""),
        ("Objective", "text", True, ""),
    ],
    "Roles": [
        ("Body", "body", True, ""),
        ("Version", "version", True, ""),
        ("Role", "title", True, "The seat, by role (not by person)."),
        (
            "Category",
            "category",
            False,
            "; ".join(TermsOfReferenceRole.Category.labels) + " (default member).",
        ),
        ("Votes", "voting", False, "Yes, no or empty (not said)."),
        ("Chair", "is_chair", False, "Yes or no."),
        ("Organisation", "organisation", False, "An organisation's name or ODS code."),
    ],
}
# Sheets other apps add (delegation adds "Delegations" from its AppConfig.ready()): sheet -> handler
# `handler(importer, record) -> (action, text)`, run after the sheets above, in the order added.
EXTRA_HANDLERS: dict[str, object] = {}


def register_sheet(name: str, columns: list[tuple[str, str, bool, str]], handler) -> None:
    """Add a sheet to the template and the import (once: ready() may run more than once in tests)."""
    SHEETS[name] = columns
    EXTRA_HANDLERS[name] = handler


INSTRUCTIONS = [
    "How to fill in this workbook",
    "",
    "One sheet for each kind of record. The first row of each sheet names its columns: keep it as it is.",
    "Fill in one record a row, from the second row. Leave a sheet empty if you have nothing for it.",
    "Dates: dd/mm/yyyy (1 December 2026 is 01/12/2026), or a date cell.",
    "Choices: write the words listed below (case does not matter).",
    "A row for a record already in the registry changes it; an empty cell leaves its value as it is.",
    "Nothing is saved when you upload: you see a preview of what would be added or changed, with any row's problem in words.",
    "Fix the rows in the workbook and upload it again. Once there is no problem, confirm: everything is saved together, or nothing.",
    "",
]
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


@dataclass
class RowResult:
    sheet: str
    row: int
    action: str  # "add", "change", "exists", "error"
    text: str
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[RowResult] = field(default_factory=list)

    @property
    def errors(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    def count(self, sheet: str, action: str) -> int:
        return sum(1 for row in self.rows if row.sheet == sheet and row.action == action)

    @property
    def summary(self) -> list[tuple[str, int, int, int]]:
        """Per sheet: rows to add, to change, already there unchanged."""
        return [
            (sheet, self.count(sheet, "add"), self.count(sheet, "change"), self.count(sheet, "exists"))
            for sheet in SHEETS
        ]


def template_workbook() -> bytes:
    """The downloadable template: instructions first, then one sheet per kind of record."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Instructions"
    for line in INSTRUCTIONS:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    for name, columns in SHEETS.items():
        sheet.append([name])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for heading, _key, required, explanation in columns:
            sheet.append([f"  {heading}{' (required)' if required else ''}", explanation])
        sheet.append([])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 120
    for name, columns in SHEETS.items():
        data = book.create_sheet(name)
        data.append([heading for heading, *_ in columns])
        for cell in data[1]:
            cell.font = Font(bold=True)
            data.column_dimensions[cell.column_letter].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_workbook(content: bytes) -> dict[str, list[tuple[int, dict]]]:
    """Each known sheet's rows as (row number, {key: cell value}), by the headings of its first row."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise WorkbookError(
            "The file is not an Excel workbook (.xlsx): download the template and fill it in."
        ) from error
    sheets = {}
    for name, columns in SHEETS.items():
        if name not in book.sheetnames:
            continue
        rows = book[name].iter_rows(values_only=True)
        headings = [str(cell or "").strip().lower() for cell in next(rows, ())]
        keys = {heading.lower(): key for heading, key, *_ in columns}
        unknown = [h for h in headings if h and h not in keys]
        if unknown:
            raise WorkbookError(f"Sheet “{name}”: the column “{unknown[0]}” is not one of the template's.")
        found = []
        for number, values in enumerate(rows, start=2):
            record = {keys[h]: v for h, v in zip(headings, values, strict=False) if h and v not in (None, "")}
            if record:
                found.append((number, record))
        sheets[name] = found
    return sheets


# -- cells -----------------------------------------------------------------------------------------
def text_cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def date_cell(value, heading: str):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y"):
        try:
            return datetime.datetime.strptime(text_cell(value), pattern).date()
        except ValueError:
            continue
    raise ValidationError({heading: f"“{text_cell(value)}” is not a date: write it dd/mm/yyyy."})


def choice_cell(value, choices, heading: str, default=None):
    text = text_cell(value).lower()
    if not text:
        return default
    for key, label in choices:
        if text in (str(key).lower(), str(label).lower()):
            return key
    raise ValidationError(
        {heading: f"“{text_cell(value)}” is not one of: {'; '.join(str(label) for _k, label in choices)}."}
    )


def flag_cell(value, heading: str, default=None):
    text = text_cell(value).lower()
    if not text:
        return default
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError({heading: f"Write yes or no, not “{text_cell(value)}”."})


class _Importer:
    """One run over the workbook inside the caller's transaction."""

    def __init__(self, partnership: Partnership, source: str):
        self.partnership = partnership
        self.source = source
        self.result = ImportResult()
        self.new_terms: set[int] = set()  # versions this workbook adds: their objectives and roles follow

    # lookups ------------------------------------------------------------------------------
    def body(self, value, heading="Body") -> Body:
        name = text_cell(value)
        body = Body.objects.filter(partnership=self.partnership, name__iexact=name).first()
        if body is None:
            raise ValidationError({heading: f"No body “{name}” in the partnership or on the Bodies sheet."})
        return body

    def organisation(self, value, heading) -> Organisation | None:
        text = text_cell(value)
        if not text:
            return None
        found = (
            Organisation.objects.filter(ods_code=text.upper()).first()
            or Organisation.objects.filter(name__iexact=text).first()
        )
        if found is None:
            raise ValidationError(
                {
                    heading: f"No organisation “{text}” (by name or ODS code): add it on the Organisations sheet."
                }
            )
        return found

    def person(self, value) -> Person:
        name = text_cell(value)
        person = Person.objects.filter(name__iexact=name).order_by("pk").first()
        if person is None:
            raise ValidationError({"Person": f"No one called “{name}”: add them on the People sheet."})
        return person

    def version(self, record) -> TermsOfReference:
        body = self.body(record.get("body"))
        number = int(text_cell(record.get("version")) or 0)
        terms = TermsOfReference.objects.filter(body=body, version=number).first()
        if terms is None:
            raise ValidationError(
                {"Version": f"{body.name} has no version {number}: add it on the Terms of reference sheet."}
            )
        return terms

    # rows ---------------------------------------------------------------------------------
    def run(self, sheets: dict[str, list[tuple[int, dict]]]) -> ImportResult:
        handlers = {
            "Organisations": self.membership_row, "Bodies": self.body_row, "Relationships": self.relationship_row,
            "People": self.person_row, "Appointments": self.appointment_row, "Terms of reference": self.terms_row,
            "Objectives": self.objective_row, "Roles": self.role_row,
            **{sheet: (lambda record, handler=handler: handler(self, record)) for sheet, handler in EXTRA_HANDLERS.items()},
        }  # fmt: skip
        for sheet, handler in handlers.items():
            for number, record in sheets.get(sheet, []):
                self.row(sheet, number, handler, record)
        return self.result

    def row(self, sheet, number, handler, record) -> None:
        headings = {key: heading for heading, key, *_ in SHEETS[sheet]}
        missing = [
            headings[key] for heading, key, required, _ in SHEETS[sheet] if required and key not in record
        ]
        if missing:
            self.result.rows.append(RowResult(sheet, number, "error", "", [f"Fill in {', '.join(missing)}."]))
            return
        try:
            with transaction.atomic():
                action, text = handler(record)
        except ValidationError as error:
            self.result.rows.append(RowResult(sheet, number, "error", "", _in_words(error, headings)))
        except DatabaseError as error:  # a constraint the model's validation does not check
            self.result.rows.append(
                RowResult(sheet, number, "error", "", [f"The database refused it: {error}".splitlines()[0]])
            )
        else:
            self.result.rows.append(RowResult(sheet, number, action, text))

    def save(self, instance):
        instance.full_clean()
        instance.save()
        return instance

    def sourced(self, **values):
        return {"source_document": self.source, **values}

    def changed(self, instance, text: str, write=None, **values) -> tuple[str, str]:
        """Bring `instance` to the row's values (an empty cell leaves a value as it is): the row's result.
        `write(changes)` writes them where a service keeps the rule (a draft's); else the record is saved."""
        changes = {
            name: new
            for name, new in values.items()
            if new is not None and new != "" and getattr(instance, name) != new
        }
        if not changes:
            return "exists", f"{text} (unchanged)"
        said = []
        for name, new in changes.items():
            model_field = instance._meta.get_field(name)
            said.append(
                f"{model_field.verbose_name}: {_shown(model_field, getattr(instance, name))} → {_shown(model_field, new)}"
            )
        if write is None:
            for name, new in changes.items():
                setattr(instance, name, new)
            self.save(instance)
        else:
            write(changes)
        return "change", f"{text}: {'; '.join(said)}"

    def membership_row(self, r):
        code = text_cell(r.get("ods_code")).upper()
        organisation = Organisation.objects.filter(ods_code=code).first() if code else None
        organisation = organisation or Organisation.objects.filter(name__iexact=text_cell(r["name"])).first()
        added = organisation is None
        start = date_cell(r.get("effective_from"), "effective_from")
        if not added:
            theirs = Membership.objects.filter(partnership=self.partnership, organisation=organisation)
            membership = (start and theirs.filter(effective_from=start).first()) or theirs.filter(
                effective_to__isnull=True
            ).first()
            if membership is not None:
                return self.changed(
                    membership, f"{organisation.name} ({membership.get_standing_display().lower()})",
                    standing=choice_cell(r.get("standing"), Membership.Standing.choices, "standing"),
                    status=choice_cell(r.get("status"), Membership.Status.choices, "status"),
                    effective_from=start, effective_to=date_cell(r.get("effective_to"), "effective_to"),
                )  # fmt: skip
        if added:
            kind = choice_cell(r.get("kind"), Organisation.Kind.choices, "kind") or Organisation.Kind.OTHER
            organisation = self.save(Organisation(
                name=text_cell(r["name"]), slug=_free_slug(text_cell(r["name"])), kind=kind, ods_code=code or None,
                is_statutory=bool(flag_cell(r.get("is_statutory"), "is_statutory", False)), **self.sourced(),
            ))  # fmt: skip
        membership = self.save(Membership(
            partnership=self.partnership, organisation=organisation,
            standing=choice_cell(r.get("standing"), Membership.Standing.choices, "standing"),
            status=choice_cell(r.get("status"), Membership.Status.choices, "status", Membership.Status.CONFIRMED),
            effective_from=date_cell(r.get("effective_from"), "effective_from"),
            effective_to=date_cell(r.get("effective_to"), "effective_to"), **self.sourced(),
        ))  # fmt: skip
        what = "new organisation, " if added else ""
        return "add", f"{organisation.name} ({what}{membership.get_standing_display().lower()})"

    def body_row(self, r):
        name = text_cell(r["name"])
        kind = choice_cell(r.get("kind"), [c for c in Body.Kind.choices if c[0] != "statutory_board"], "kind")
        body = Body.objects.filter(partnership=self.partnership, name__iexact=name).first()
        if body is not None:
            return self.changed(
                body, body.name, short_name=text_cell(r.get("short_name")), kind=kind,
                status=choice_cell(r.get("status"), Body.Status.choices, "status"),
                effective_from=date_cell(r.get("effective_from"), "effective_from"),
                effective_to=date_cell(r.get("effective_to"), "effective_to"), description=text_cell(r.get("description")),
            )  # fmt: skip
        body = self.save(Body(
            partnership=self.partnership, name=name, short_name=text_cell(r.get("short_name")),
            slug=_free_body_slug(self.partnership, name), kind=kind,
            status=choice_cell(r.get("status"), Body.Status.choices, "status", Body.Status.ACTIVE),
            effective_from=date_cell(r.get("effective_from"), "effective_from"),
            effective_to=date_cell(r.get("effective_to"), "effective_to"), description=text_cell(r.get("description")),
            **self.sourced(),
        ))  # fmt: skip
        return "add", f"{body.name} ({body.get_kind_display().lower()})"

    def relationship_row(self, r):
        from_body, to_body = self.body(r["from_body"], "from_body"), self.body(r["to_body"], "to_body")
        kind = choice_cell(r.get("kind"), BodyRelationship.Kind.choices, "kind")
        start = date_cell(r.get("effective_from"), "effective_from")
        existing = BodyRelationship.objects.filter(from_body=from_body, to_body=to_body, kind=kind).first()
        if existing is not None:
            text = f"{from_body} {existing.get_kind_display().lower()} {to_body}"
            return self.changed(existing, text, effective_from=start)
        relationship = self.save(BodyRelationship(
            from_body=from_body, to_body=to_body, kind=kind, effective_from=start, **self.sourced(),
        ))  # fmt: skip
        return (
            "add",
            f"{relationship.from_body} {relationship.get_kind_display().lower()} {relationship.to_body}",
        )

    def person_row(self, r):
        name = text_cell(r["name"])
        person = Person.objects.filter(name__iexact=name).order_by("pk").first()
        if person is not None:
            # People are shared by every partnership they sit in: their details change on their own page,
            # where who may change them is checked (docs/decisions/0002), never from one partnership's workbook.
            email = text_cell(r.get("email"))
            if email and email.lower() != person.email.lower():
                return (
                    "exists",
                    f"{person.name} (already in the registry; the email differs: change it on their page)",
                )
            return "exists", f"{person.name} (already in the registry)"
        self.save(Person(name=name, email=text_cell(r.get("email")), **self.sourced()))
        return "add", name

    def appointment_row(self, r):
        body, person = self.body(r["body"]), self.person(r["person"])
        role = choice_cell(r.get("role"), Appointment.Role.choices, "role")
        start = date_cell(r.get("effective_from"), "effective_from")
        theirs = Appointment.objects.filter(body=body, person=person, role=role)
        existing = (start and theirs.filter(effective_from=start).first()) or theirs.filter(
            effective_to__isnull=True
        ).first()
        if existing is not None:
            return self.changed(
                existing, f"{person.name}, {existing.get_role_display().lower()} of {body.name}",
                title=text_cell(r.get("title")), representing=self.organisation(r.get("representing"), "representing"),
                voting=flag_cell(r.get("voting"), "voting"), effective_from=start,
                effective_to=date_cell(r.get("effective_to"), "effective_to"),
            )  # fmt: skip
        appointment = self.save(Appointment(
            body=body, person=person, role=role, title=text_cell(r.get("title")),
            representing=self.organisation(r.get("representing"), "representing"),
            voting=flag_cell(r.get("voting"), "voting", True),
            effective_from=date_cell(r.get("effective_from"), "effective_from"),
            effective_to=date_cell(r.get("effective_to"), "effective_to"), **self.sourced(),
        ))  # fmt: skip
        return (
            "add",
            f"{appointment.person.name}, {appointment.get_role_display().lower()} of {appointment.body.name}",
        )

    def terms_row(self, r):
        body = self.body(r["body"])
        version = int(text_cell(r["version"]) or 0)
        status = choice_cell(r.get("status"), TermsOfReference.Status.choices[:2], "status")
        values = {
            "approved_on": date_cell(r.get("approved_on"), "approved_on"),
            "effective_from": date_cell(r.get("effective_from"), "effective_from"),
            "purpose": text_cell(r.get("purpose")), "quorum_rule": text_cell(r.get("quorum_rule")),
            "decision_method": choice_cell(r.get("decision_method"), TermsOfReference.DecisionMethod.choices, "decision_method", ""),
            "meeting_frequency": choice_cell(r.get("meeting_frequency"), TermsOfReference.Frequency.choices, "meeting_frequency", ""),
        }  # fmt: skip
        terms = TermsOfReference.objects.filter(body=body, version=version).first()
        if terms is not None:
            text = f"{body.name}, version {version} ({terms.get_status_display().lower()})"
            if status and status != terms.status:
                raise ValidationError(
                    {"status": f"Version {version} is {terms.get_status_display().lower()} in the registry: "
                     "approve or supersede it on its terms of reference page."}
                )  # fmt: skip
            return self.changed_terms(terms, text, **values)
        terms = self.save(TermsOfReference(
            body=body, version=version, status=status or TermsOfReference.Status.DRAFT, **values, **self.sourced(),
        ))  # fmt: skip
        self.new_terms.add(terms.pk)
        return "add", f"{body.name}, version {terms.version} ({terms.get_status_display().lower()})"

    def changed_terms(self, terms, text, **values):
        """A draft changes through `services.terms_of_reference_draft_update`, which refuses an approved
        version (the record of what was agreed: only a new version changes it); said here in the
        workbook's words."""
        if terms.pk in self.new_terms:
            return self.changed(terms, text, **values)

        def write(changes):
            try:
                services.terms_of_reference_draft_update(terms_of_reference=terms, **changes)
            except ValidationError:
                if terms.status == TermsOfReference.Status.DRAFT:
                    raise
                names = " and ".join(
                    str(TermsOfReference._meta.get_field(name).verbose_name) for name in changes
                )
                raise ValidationError(
                    {"version": f"Version {terms.version} of {terms.body.name} is {terms.get_status_display().lower()}, "
                     f"so it is not changed in place (the workbook's {names} {'differ' if len(changes) > 1 else 'differs'}). "
                     f"Put the changes in version {terms.version + 1}."}
                ) from None  # fmt: skip

        return self.changed(terms, text, write=write, **values)

    def objective_row(self, r):
        terms = self.version(r)
        existing = terms.objectives.filter(text__iexact=text_cell(r["text"])).first()
        if existing is not None:
            text = f"{terms.body.name}, version {terms.version}: objective {existing.position}"
            return self.changed_terms_part(terms, existing, text, heading=text_cell(r.get("heading")))
        objective = self.add_terms_part(terms, TermsOfReferenceObjective(
            terms_of_reference=terms, heading=text_cell(r.get("heading")), text=text_cell(r["text"]),
        ), "objectives")  # fmt: skip
        return "add", f"{terms.body.name}, version {terms.version}: objective {objective.position}"

    def role_row(self, r):
        terms = self.version(r)
        values = {
            "category": choice_cell(r.get("category"), TermsOfReferenceRole.Category.choices, "category"),
            "voting": flag_cell(r.get("voting"), "voting"), "is_chair": flag_cell(r.get("is_chair"), "is_chair"),
            "organisation": self.organisation(r.get("organisation"), "organisation"),
        }  # fmt: skip
        existing = terms.roles.filter(title__iexact=text_cell(r["title"])).first()
        if existing is not None:
            text = f"{terms.body.name}, version {terms.version}: {existing.title}"
            return self.changed_terms_part(terms, existing, text, **values)
        role = self.add_terms_part(terms, TermsOfReferenceRole(
            terms_of_reference=terms, title=text_cell(r["title"]),
            category=values["category"] or "member", voting=values["voting"], is_chair=bool(values["is_chair"]),
            organisation=values["organisation"],
        ), "roles")  # fmt: skip
        return "add", f"{terms.body.name}, version {terms.version}: {role.title}"

    def add_terms_part(self, terms, part, what: str):
        """A new objective or role: of a version this workbook adds, saved with it; of one already in
        the registry, through `services.terms_of_reference_draft_parts_update` (drafts only)."""
        if terms.pk in self.new_terms:
            part.position = getattr(terms, what).count() + 1
            return self.save(part)
        self.draft_parts_write(terms, part, what)
        return part

    def changed_terms_part(self, terms, part, text, **values):
        if terms.pk in self.new_terms:
            return self.changed(part, text, **values)

        def write(changes):
            for name, new in changes.items():
                setattr(part, name, new)
            self.draft_parts_write(terms, part, "objectives and roles")

        return self.changed(part, text, write=write, **values)

    def draft_parts_write(self, terms, part, what: str) -> None:
        changes = services.DraftPartChanges(save=[part])
        kind = "objectives" if isinstance(part, TermsOfReferenceObjective) else "roles"
        try:
            services.terms_of_reference_draft_parts_update(terms_of_reference=terms, **{kind: changes})
        except ValidationError:
            if terms.status == TermsOfReference.Status.DRAFT:
                raise
            raise ValidationError(
                {"version": f"Version {terms.version} of {terms.body.name} is {terms.get_status_display().lower()}: "
                 f"its {what} are not changed in place. Put the changes in version {terms.version + 1}."}
            ) from None  # fmt: skip


def _free_slug(name: str) -> str:
    base = slugify(name)[:100] or "organisation"
    slug, number = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _free_body_slug(partnership, name: str) -> str:
    base = slugify(name)[:100] or "body"
    slug, number = base, 2
    while Body.objects.filter(partnership=partnership, slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _shown(model_field, value) -> str:
    """A value as the preview says it: a choice's label, a date in the one date format, yes or no."""
    if value is None or value == "":
        return "(empty)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal) and model_field.name.endswith("_gbp"):
        return f"£{value:,.0f}" if value == value.to_integral_value() else f"£{value:,.2f}"
    return str(value)


def _in_words(error: ValidationError, headings: dict[str, str]) -> list[str]:
    """A refusal as the user reads it: each message after the column it is about."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    messages = []
    for name, errors in error.message_dict.items():
        heading = headings.get(name) or ("" if name == "__all__" else name.replace("_", " ").capitalize())
        messages.extend(f"{heading}: {message}" if heading else message for message in errors)
    return messages


class RowsRefused(Exception):
    def __init__(self, result: ImportResult):
        super().__init__(f"{len(result.errors)} rows refused")
        self.result = result


def preview_workbook(*, partnership: Partnership, content: bytes, source: str = "") -> ImportResult:
    """What importing the workbook would do, row by row; nothing is kept (the transaction rolls back)."""
    sheets = read_workbook(content)
    with transaction.atomic():
        result = _Importer(partnership, source or "Spreadsheet import").run(sheets)
        transaction.set_rollback(True)
    return result


def import_workbook(*, partnership: Partnership, content: bytes, source: str = "") -> ImportResult:
    """Import the workbook, all or nothing: raises RowsRefused (nothing written) if any row is refused."""
    sheets = read_workbook(content)
    with transaction.atomic():
        result = _Importer(partnership, source or "Spreadsheet import").run(sheets)
        if result.errors:
            raise RowsRefused(result)
    return result

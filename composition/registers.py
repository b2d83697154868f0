"""A partnership's registers, each defined once: its columns (a heading in words, the path it is
read from, a machine name) and its rows as at a date. The CSV zip, the Excel workbook and the
open-data package all read these definitions, so a column is named, ordered and rendered the
same way in each.

A column's value is rendered from the model field it reads: a choice as its label ("Party to",
not `party_to`), a yes/no field as "Yes" or "No", a date as a date (ISO text in CSV). The record's
id is the last column of every register, for machines.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import orjson
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import QuerySet

from bodies.models import (
    Appointment,
    Body,
    Membership,
    Organisation,
    OrganisationSuccession,
    Partnership,
    TermsOfReference,
)
from core import access
from core.publication import PUBLIC, is_public_kind
from decisions.models import Attendance, Decision, Declaration, Interest, Meeting, Proposal, Ratification
from delegation.models import Delegation, Reservation
from meetings.models import Action, Gift
from risks.models import Risk, RiskAction, RiskEscalation, RiskReview

CHUNK = 2000


def _resolve(model: type[models.Model], path: str) -> models.Field:
    """The model field a `values_list` path ends on (`organisation__name` → Organisation.name)."""
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    last = parts[-1]
    return model._meta.pk if last == "pk" else model._meta.get_field(last)


@dataclass(frozen=True)
class Column:
    """One column of a register: `heading` for people, `name` for machines, `path` to read."""

    heading: str
    path: str
    name: str = ""

    @property
    def key(self) -> str:
        return self.name or self.path.replace("__", "_")


@dataclass(frozen=True)
class RenderedColumn:
    """A column bound to the field it reads: how its values read, and how wide it is."""

    column: Column
    field: models.Field

    @property
    def heading(self) -> str:
        return self.column.heading

    @property
    def name(self) -> str:
        return self.column.key

    @cached_property
    def labels(self) -> dict:
        return {value: str(label) for value, label in self.field.flatchoices} if self.field.choices else {}

    @property
    def kind(self) -> str:
        """The column's type for the open-data table schema and the spreadsheet's cell format."""
        if self.labels:
            return "string"
        if isinstance(self.field, models.BooleanField):
            return "boolean"
        if isinstance(self.field, models.DateTimeField):
            return "datetime"
        if isinstance(self.field, models.DateField):
            return "date"
        if isinstance(self.field, models.DecimalField):
            return "number"
        if isinstance(self.field, models.IntegerField | models.AutoField | models.BigAutoField):
            return "integer"
        if isinstance(self.field, ArrayField | models.JSONField):
            return "array"
        return "string"

    @property
    def width(self) -> int:
        """A width, in characters, that fits the column's values (write-only sheets are sized first)."""
        fixed = {"boolean": 8, "date": 17, "datetime": 22, "number": 16, "integer": 10}
        if self.kind in fixed:
            return max(fixed[self.kind], len(self.heading) + 2)
        if self.labels:
            return max(len(self.heading), *(len(label) for label in self.labels.values())) + 2
        if isinstance(self.field, models.TextField):
            return 60
        return max(len(self.heading) + 2, min(getattr(self.field, "max_length", None) or 40, 40))

    def value(self, raw):
        """The value as people read it: a choice's label, "Yes"/"No", lists as themselves."""
        if raw is None or raw == "":
            return None
        if self.labels:
            return self.labels.get(raw, raw)
        if self.kind == "boolean":
            return "Yes" if raw else "No"
        return raw


@dataclass(frozen=True)
class Register:
    name: str  # the file or table name, for machines
    title: str  # the sheet's name, for people
    description: str  # what a row is, on the workbook's first sheet and in the data package
    model: type[models.Model]
    columns: tuple[Column, ...]
    rows: Callable[[Partnership, datetime.date], QuerySet]
    id_column: Column = field(default=Column("ID", "pk", "id"))

    @cached_property
    def rendered(self) -> tuple[RenderedColumn, ...]:
        columns = tuple(
            RenderedColumn(c, _resolve(self.model, c.path)) for c in (*self.columns, self.id_column)
        )
        names = [column.name for column in columns]
        if len(set(names)) != len(names):
            raise ValueError(f"The {self.name} register names two columns alike: {names}")
        return columns

    def published_rows(self, partnership: Partnership, on: datetime.date) -> QuerySet:
        """The register's rows, without the records not for publication (as their models declare)."""
        return access.published(self.rows(partnership, on))

    @property
    def is_public(self) -> bool:
        return is_public_kind(self.model)

    def public_rows(self, partnership: Partnership, on: datetime.date) -> QuerySet:
        """The rows anyone may read (core/publication.py): the open data."""
        return access.restrict(self.rows(partnership, on), PUBLIC)

    def count(self, partnership: Partnership, on: datetime.date) -> int:
        return self.published_rows(partnership, on).count()

    def raw_values(self, rows: QuerySet) -> Iterator[tuple]:
        paths = [c.column.path for c in self.rendered]
        yield from rows.values_list(*paths).iterator(chunk_size=CHUNK)

    def values(self, partnership: Partnership, on: datetime.date, *, public: bool = False) -> Iterator[list]:
        """Each row's values as people read them, the record's id last; `public`: only the public rows."""
        rendered = self.rendered
        rows = self.public_rows(partnership, on) if public else self.published_rows(partnership, on)
        for row in self.raw_values(rows):
            yield [column.value(raw) for column, raw in zip(rendered, row, strict=True)]

    def record_ids(self, partnership: Partnership, on: datetime.date) -> set[int]:
        return set(self.published_rows(partnership, on).values_list("pk", flat=True))


def text_cell(value) -> str:
    """A value as CSV text: dates in ISO form, lists and objects as JSON (never Python's repr)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | dict | tuple):
        return orjson.dumps(value, default=str).decode()
    if isinstance(value, Decimal | int):
        return str(value)
    return str(value)


def _in_partnership_meetings(p, on):
    return Meeting.objects.filter(body__partnership=p, starts_at__date__lte=on)


REGISTERS: tuple[Register, ...] = (
    Register(
        "memberships", "Memberships", "An organisation's standing in the partnership, in force on the day.",
        Membership,
        (Column("Organisation", "organisation__name"), Column("ODS code", "organisation__ods_code"),
         Column("Standing", "standing"), Column("Status", "status"), Column("From", "effective_from"),
         Column("To", "effective_to"), Column("Source", "source_document")),
        lambda p, on: Membership.objects.in_force(on).filter(partnership=p).order_by("organisation__name", "pk"),
    ),
    Register(
        "bodies", "Bodies", "A board, committee or group of the partnership, in force on the day.",
        Body,
        (Column("Name", "name"), Column("Kind", "kind"), Column("Status", "status"),
         Column("Holds delegated authority", "holds_delegated_authority"),
         Column("Decisions bind the partners", "decisions_bind_partners"), Column("From", "effective_from"),
         Column("To", "effective_to")),
        lambda p, on: Body.objects.in_force(on).filter(partnership=p).order_by("name", "pk"),
    ),
    Register(
        "terms_of_reference", "Terms of reference", "The version of a body's terms of reference in force.",
        TermsOfReference,
        (Column("Body", "body__name"), Column("Version", "version"), Column("Status", "status"),
         Column("Approved by", "approved_by__name"), Column("Approved on", "approved_on"),
         Column("In force from", "effective_from"), Column("Quorum", "quorum_rule", "quorum"),
         Column("How decisions are made", "decision_method"), Column("Meets", "meeting_frequency", "meets"),
         Column("Next review due", "next_review_due"), Column("Source", "source_document")),
        lambda p, on: TermsOfReference.objects.in_force(on).filter(body__partnership=p).order_by("body__name", "pk"),
    ),
    Register(
        "appointments", "Appointments", "Who sits on each body, in which role, in force on the day.",
        Appointment,
        (Column("Body", "body__name"), Column("Person", "person__name"), Column("Role", "role"),
         Column("Title", "title"), Column("Representing", "representing__name"), Column("Voting", "voting"),
         Column("From", "effective_from"), Column("To", "effective_to")),
        lambda p, on: Appointment.objects.in_force(on)
        .filter(body__partnership=p)
        .order_by("body__name", "role", "person__name", "pk"),
    ),
    Register(
        "reservations", "Reservations", "A matter reserved to the partners' own boards or to a body.",
        Reservation,
        (Column("Matter", "matter__name"), Column("Reserved to", "reserved_to"),
         Column("Body", "reserved_to_body__name", "reserved_to_body"), Column("Power", "power"),
         Column("Source", "source_document"), Column("Passage", "source_reference")),
        lambda p, on: Reservation.objects.in_force(on).filter(partnership=p).order_by("matter__name", "pk"),
    ),
    Register(
        "delegations", "Delegations", "A power over a matter delegated by one body to another or to an office.",
        Delegation,
        (Column("Matter", "matter__name"), Column("Delegated by", "delegator__name", "delegator"),
         Column("Delegated to", "delegate__name", "delegate"), Column("Office", "delegate_office", "office"),
         Column("Power", "power"), Column("Financial limit (£)", "financial_limit_gbp"),
         Column("Conditions", "conditions"), Column("May delegate further", "further_delegation_permitted"),
         Column("From", "effective_from"), Column("To", "effective_to"), Column("Source", "source_document"),
         Column("Passage", "source_reference")),
        lambda p, on: Delegation.objects.in_force(on).filter(partnership=p).order_by("matter__name", "pk"),
    ),
    Register(
        "decisions", "Decisions", "A decision taken by a body of the partnership on or before the day.",
        Decision,
        (Column("Body", "body__name"), Column("Decided on", "decided_on"), Column("Minute", "minute_reference"),
         Column("Matter", "matter__name"), Column("Power", "power"), Column("Resolution", "resolution"),
         Column("Outcome", "outcome"), Column("Status", "status"), Column("Urgent", "urgent"),
         Column("Takes effect on", "effective_on")),
        lambda p, on: Decision.objects.filter(body__partnership=p, decided_on__lte=on).order_by("decided_on", "pk"),
    ),
    Register(
        "ratifications", "Ratifications", "A partner's own board's consideration of a decision that binds it.",
        Ratification,
        (Column("Decision", "decision__minute_reference", "decision_minute"),
         Column("Decision ID", "decision_id"), Column("Organisation", "organisation__name"),
         Column("Outcome", "outcome"), Column("Considered on", "decided_on"), Column("Minute", "minute_reference")),
        lambda p, on: Ratification.objects.filter(decision__body__partnership=p, decision__decided_on__lte=on)
        .order_by("decision__decided_on", "decision_id", "organisation__name", "pk"),
    ),
    Register(
        "meetings", "Meetings", "A meeting of a body of the partnership, on or before the day.",
        Meeting,
        (Column("Body", "body__name"), Column("Title", "title"), Column("Starts", "starts_at"),
         Column("Ends", "ends_at"), Column("Place", "place"), Column("Status", "status"),
         Column("Notice given on", "notice_given_on")),
        lambda p, on: _in_partnership_meetings(p, on).order_by("starts_at", "pk"),
    ),
    Register(
        "attendance", "Attendance", "Who attended a meeting, sent apologies or was represented by a deputy.",
        Attendance,
        (Column("Body", "meeting__body__name"), Column("Meeting starts", "meeting__starts_at"),
         Column("Person", "person__name"), Column("Attendance", "status"), Column("Deputy", "deputy__name"),
         Column("Voting", "voting"), Column("Meeting ID", "meeting_id")),
        lambda p, on: Attendance.objects.filter(meeting__in=_in_partnership_meetings(p, on))
        .order_by("meeting__starts_at", "meeting_id", "person__name", "pk"),
    ),
    Register(
        "interests", "Register of interests", "An interest declared by a member, in force on the day "
        "(entries withheld from publication are left out).",
        Interest,
        (Column("Person", "person__name"), Column("Kind", "kind"), Column("Interest", "description"),
         Column("Organisation", "organisation__name"), Column("Organisation (as declared)", "organisation_name", "organisation_as_declared"),
         Column("Declared on", "declared_on"), Column("From", "effective_from"), Column("To", "effective_to")),
        lambda p, on: Interest.objects.in_force(on).filter(partnership=p).order_by("person__name", "pk"),
    ),
    Register(
        "declarations", "Declarations at meetings", "An interest declared at a meeting and how it was managed.",
        Declaration,
        (Column("Body", "meeting__body__name"), Column("Meeting starts", "meeting__starts_at"),
         Column("Item", "agenda_item__title"), Column("Person", "person__name"), Column("Declared", "nature"),
         Column("Managed by", "management"), Column("Meeting ID", "meeting_id")),
        lambda p, on: Declaration.objects.filter(meeting__in=_in_partnership_meetings(p, on))
        .order_by("meeting__starts_at", "meeting_id", "pk"),
    ),
    Register(
        "gifts_and_hospitality", "Gifts and hospitality", "A gift or hospitality offered to a member, "
        "accepted or declined (NHS England, Managing conflicts of interest in the NHS).",
        Gift,
        (Column("Person", "person__name"), Column("Kind", "kind"), Column("What", "description"),
         Column("Offered by", "offered_by"), Column("Value (£)", "value_gbp"), Column("Offered on", "offered_on"),
         Column("Accepted", "accepted"), Column("Declared on", "declared_on")),
        lambda p, on: Gift.objects.filter(partnership=p, offered_on__lte=on).order_by("offered_on", "pk"),
    ),
    Register(
        "actions", "Actions", "An action arising from a meeting's item: what, who, by when.",
        Action,
        (Column("Body", "body__name"), Column("Item", "agenda_item__title"), Column("Action", "description"),
         Column("Owner", "owner__name"), Column("Due on", "due_on"), Column("Status", "status"),
         Column("Closed on", "closed_on"), Column("Meeting ID", "agenda_item__meeting_id")),
        lambda p, on: Action.objects.filter(body__partnership=p).order_by("due_on", "pk"),
    ),
    Register(
        "proposals", "Proposals", "A proposal making its way along an approval route.",
        Proposal,
        (Column("Title", "title"), Column("Category", "category"), Column("Route", "route__name"),
         Column("Amount (£)", "amount_gbp"), Column("Sponsor", "sponsor_organisation__name"),
         Column("Stage reached", "stage_reached"), Column("Status", "status"),
         Column("Signed off on", "signed_off_on"), Column("Signed off by", "signed_off_by")),
        lambda p, on: Proposal.objects.filter(partnership=p).order_by("title", "pk"),
    ),
    Register(
        "risks", "Risks", "A risk on one of the partnership's registers.",
        Risk,
        (Column("Reference", "reference"), Column("Title", "title"), Column("Category", "category"),
         Column("Held by", "register__body__name", "held_by"), Column("Owner", "owner__name"),
         Column("Inherent score", "inherent_score"), Column("Current score", "current_score"),
         Column("Target score", "target_score"), Column("Status", "status"),
         Column("Next review due", "next_review_due")),
        lambda p, on: Risk.objects.filter(partnership=p).order_by("reference", "pk"),
    ),
    Register(
        "risk_actions", "Risk actions", "An action taken or planned to control a risk.",
        RiskAction,
        (Column("Risk", "risk__reference"), Column("Action", "description"), Column("Owner", "owner__name"),
         Column("Owner's post", "owner_title"), Column("Due on", "due_on"), Column("Status", "status"),
         Column("Completed on", "completed_on"), Column("Risk ID", "risk_id")),
        lambda p, on: RiskAction.objects.filter(risk__partnership=p).order_by("risk__reference", "pk"),
    ),
    Register(
        "risk_reviews", "Risk reviews", "A review of a risk, on or before the day.",
        RiskReview,
        (Column("Risk", "risk__reference"), Column("Reviewed on", "reviewed_on"),
         Column("Reviewed by", "reviewer__name"), Column("Note", "note"), Column("Risk ID", "risk_id")),
        lambda p, on: RiskReview.objects.filter(risk__partnership=p, reviewed_on__lte=on)
        .order_by("reviewed_on", "pk"),
    ),
    Register(
        "risk_escalations", "Risk escalations", "A risk escalated to another body, and its answer.",
        RiskEscalation,
        (Column("Risk", "risk__reference"), Column("Escalated to", "to_body__name", "escalated_to"),
         Column("Escalated on", "escalated_on"), Column("Reason", "reason"), Column("Response", "response"),
         Column("Responded on", "responded_on"), Column("De-escalated on", "de_escalated_on"),
         Column("Risk ID", "risk_id")),
        lambda p, on: RiskEscalation.objects.filter(risk__partnership=p, escalated_on__lte=on)
        .order_by("escalated_on", "pk"),
    ),
    Register(
        "successions", "Successions", "An organisation of the partnership succeeded by another (or succeeding one).",
        OrganisationSuccession,
        (Column("Predecessor", "predecessor__name"), Column("Predecessor ODS code", "predecessor__ods_code"),
         Column("Successor", "successor__name"), Column("Successor ODS code", "successor__ods_code"),
         Column("Kind", "kind"), Column("From", "effective_on"), Column("Source", "source_document")),
        lambda p, on: OrganisationSuccession.objects.filter(
            models.Q(predecessor__in=_partnership_organisations(p)) | models.Q(successor__in=_partnership_organisations(p)),
            effective_on__lte=on,
        ).order_by("effective_on", "pk"),
    ),
)  # fmt: skip


def _partnership_organisations(partnership: Partnership) -> QuerySet:
    return Organisation.objects.filter(memberships__partnership=partnership).values("pk")

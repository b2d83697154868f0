"""Exports made on request in the background: a partnership's registers (CSV in a zip, or an Excel
workbook), a Popolo JSON of its organisations, people, memberships and posts, and the governance
handbook (PDF, composition/handbook.py) — all as at a chosen date.

`export_request` records the request and enqueues the work through the outbox; the worker calls
`export_run`, which writes the file to a temporary file row by row (querysets are read with
`.iterator()` in chunks, the workbook in write-only mode), so memory stays flat however large the
registers, and reports its progress on the `Export` row as it goes. Restricted records (not for
publication) are never exported.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from bodies.models import (
    Appointment,
    Body,
    Membership,
    Partnership,
    Person,
    TermsOfReference,
    TermsOfReferenceRole,
)
from composition.registers import CHUNK, REGISTERS, text_cell
from core import access, outbox
from core.leases import job_heartbeat, job_run
from core.models import Export
from core.spreadsheets import formula_safe

EXTENSIONS = {
    Export.Kind.REGISTERS_CSV: "zip",
    Export.Kind.REGISTERS_XLSX: "xlsx",
    Export.Kind.POPOLO_JSON: "json",
    Export.Kind.HANDBOOK_PDF: "pdf",
}
CONTENT_TYPES = {
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
}


# -- requesting and running -----------------------------------------------------------------------
@transaction.atomic
def export_request(
    *, kind: str, partnership: Partnership, as_at: datetime.date | None = None, requested_by=None
) -> Export:
    """Record the request and enqueue the work (published once this transaction commits)."""
    if kind not in Export.Kind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(Export.Kind.values)}."})
    export = Export(
        kind=kind,
        partnership=partnership,
        as_at=as_at or timezone.localdate(),
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
    )
    export.full_clean()
    export.save()
    outbox.enqueue("composition.tasks.run_export", export_id=export.pk)
    return export


class Progress:
    """Reports progress on the export row, at most a few times a second (each report is one UPDATE,
    which also renews the export's lease: core/leases.py). With no percent gained, it still
    reports every quarter of the lease, so a slow step never looks like a dead worker."""

    def __init__(self, export_id: int, holder: uuid.UUID, total: int = 100):
        self.export_id, self.holder = export_id, holder
        self.total, self.done = max(total, 1), 0
        self.reported, self.reported_at = -1, time.monotonic()

    def expect(self, total: int) -> None:
        """The number of steps `advance` will count."""
        self.total = max(total, 1)

    def advance(self, count: int = 1) -> None:
        self.done += count
        percent = min(99, self.done * 100 // self.total)
        now = time.monotonic()
        gained = percent > self.reported and (now - self.reported_at >= 0.2 or percent - self.reported >= 10)
        if gained or now - self.reported_at >= settings.JOB_LEASE_SECONDS / 4:
            self.report(percent)

    def report(self, percent: int) -> None:
        """Store the percentage done (never 100 until the file is there) and renew the lease.
        Raises LeaseLost when the sweep has given the export to another worker."""
        percent = max(0, min(99, percent))
        job_heartbeat(Export, pk=self.export_id, holder=self.holder, progress=percent)
        self.reported, self.reported_at = percent, time.monotonic()
        if settings.EXPORT_PROGRESS_PAUSE_SECONDS:
            time.sleep(settings.EXPORT_PROGRESS_PAUSE_SECONDS)


def export_run(*, export_id: int, retry_in: float | None = None) -> Export | None:
    """Make the export's file (core.leases.job_run: idempotent, retried or failed with the reason).
    If two workers make the same export (the sweep gave it to a second while the first was only
    slow), the second to finish keeps the first one's file."""
    return job_run(
        Export,
        pk=export_id,
        values={"status": Export.Status.RUNNING, "started_at": timezone.now(), "progress": 0},
        make=_export_make,
        retry_in=retry_in,
    )


def _export_make(export: Export, holder: uuid.UUID) -> Export:
    build = BUILDERS[export.kind]
    extension = EXTENSIONS[export.kind]
    with tempfile.TemporaryFile() as out:
        build(export.partnership, export.as_at, out, Progress(export.pk, holder))
        out.seek(0)
        with transaction.atomic():
            export = Export.objects.select_for_update().select_related("partnership").get(pk=export.pk)
            if export.status == Export.Status.DONE:
                return export
            name = f"{export.partnership.slug}-{export.kind.replace('_', '-')}-{export.as_at.isoformat()}.{extension}"
            export.file.save(name, File(out), save=False)
            export.status, export.progress, export.finished_at, export.error = (
                Export.Status.DONE,
                100,
                timezone.now(),
                "",
            )
            export.lease_expires_at = export.lease_holder = None
            export.save()
    return export


def file_name(export: Export) -> str:
    return export.file.name.rsplit("/", 1)[-1]


def content_type(export: Export) -> str:
    return CONTENT_TYPES[EXTENSIONS[export.kind]]


# -- the registers (composition/registers.py defines them) ----------------------------------------
def _total_rows(partnership: Partnership, on: datetime.date) -> int:
    return sum(register.count(partnership, on) for register in REGISTERS)


def about_lines(partnership: Partnership, on: datetime.date) -> list[tuple[str, str]]:
    """What the file is, as at when, from where: the first sheet of the workbook, about.txt in the zip."""
    return [
        ("Registers of", partnership.name),
        ("As at", date_format(on, "j F Y")),
        ("Made on", date_format(timezone.localtime(), "j F Y, H:i")),
        ("From", f"{settings.SITE_URL}{reverse('partnership-detail', args=[partnership.pk])}"),
        ("Licence", settings.OPEN_DATA_LICENCE),
        ("Left out", "Records not for publication (restricted decisions, withheld interests and the like)."),
    ]


def build_registers_csv(partnership: Partnership, on: datetime.date, out, progress: Progress) -> None:
    progress.expect(_total_rows(partnership, on))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        about = [f"{label}: {text}" for label, text in about_lines(partnership, on)]
        about += ["", "Files:"] + [f"{r.name}.csv: {r.title}. {r.description}" for r in REGISTERS]
        archive.writestr("about.txt", "\n".join(about) + "\n")
        for register in REGISTERS:
            with archive.open(f"{register.name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow([column.heading for column in register.rendered])
                for row in register.values(partnership, on):
                    writer.writerow([formula_safe(text_cell(value)) for value in row])
                    progress.advance()
                text.flush()
                text.detach()


def build_registers_xlsx(partnership: Partnership, on: datetime.date, out, progress: Progress) -> None:
    from composition.workbook import registers_workbook

    progress.expect(_total_rows(partnership, on))
    registers_workbook(partnership, on, out, about=about_lines(partnership, on), advance=progress.advance)


# -- Popolo ---------------------------------------------------------------------------------------
def _popolo_sections(partnership: Partnership, on: datetime.date) -> list[tuple[str, QuerySet, Callable]]:
    pid = f"partnership/{partnership.pk}"

    def date(value):
        return value.isoformat() if value else None

    memberships = (
        Membership.objects.in_force(on).filter(partnership=partnership).select_related("organisation")
    )
    bodies = Body.objects.in_force(on).filter(partnership=partnership)
    # The people are those of the published appointments only.
    appointments = access.published(Appointment.objects.in_force(on).filter(body__in=bodies))
    terms = TermsOfReference.objects.in_force(on).filter(body__in=bodies)
    return [
        (
            "organizations",
            memberships.order_by("organisation__name", "pk"),
            lambda m: {
                "id": f"organisation/{m.organisation_id}",
                "name": m.organisation.name,
                "classification": m.organisation.get_kind_display(),
                "identifiers": [{"scheme": "ODS", "identifier": m.organisation.ods_code}]
                if m.organisation.ods_code
                else [],
                "other_names": [{"name": name} for name in m.organisation.other_names],
            },
        ),
        (
            "organizations",
            bodies.order_by("name", "pk"),
            lambda b: {
                "id": f"body/{b.pk}",
                "name": b.name,
                "classification": b.get_kind_display(),
                "parent_id": pid,
                "founding_date": date(b.effective_from),
                "dissolution_date": date(b.effective_to),
            },
        ),
        (
            "persons",
            Person.objects.filter(appointments__in=appointments).distinct().order_by("name", "pk"),
            lambda person: {"id": f"person/{person.pk}", "name": person.name},
        ),
        (
            "memberships",
            memberships.order_by("organisation__name", "pk"),
            lambda m: {
                "id": f"membership/{m.pk}",
                "member": {"@type": "Organization", "id": f"organisation/{m.organisation_id}"},
                "organization_id": pid,
                "role": m.get_standing_display(),
                "start_date": date(m.effective_from),
                "end_date": date(m.effective_to),
            },
        ),
        (
            "memberships",
            appointments.select_related("body").order_by("body__name", "role", "pk"),
            lambda a: {
                "id": f"appointment/{a.pk}",
                "person_id": f"person/{a.person_id}",
                "organization_id": f"body/{a.body_id}",
                "role": a.get_role_display(),
                "label": a.title or a.get_role_display(),
                "on_behalf_of_id": f"organisation/{a.representing_id}" if a.representing_id else None,
                "start_date": date(a.effective_from),
                "end_date": date(a.effective_to),
            },
        ),
        (
            "posts",
            TermsOfReferenceRole.objects.filter(terms_of_reference__in=terms)
            .select_related("terms_of_reference")
            .order_by("terms_of_reference__body_id", "position", "pk"),
            lambda role: {
                "id": f"post/{role.pk}",
                "label": role.title,
                "role": role.get_category_display(),
                "organization_id": f"body/{role.terms_of_reference.body_id}",
                "voting": role.voting,
            },
        ),
    ]


def build_popolo_json(
    partnership: Partnership, on: datetime.date, out, progress: Progress | None, visible=access.published
) -> None:
    """Popolo (popoloproject.com): organizations, persons, memberships and posts, streamed item by item.
    `visible` keeps the rows that may go out: the published ones (an export), the public ones (open data)."""
    sections = [
        (key, visible(queryset), render) for key, queryset, render in _popolo_sections(partnership, on)
    ]
    if progress is not None:
        progress.expect(sum(queryset.count() for _, queryset, _ in sections))
    out.write(b'{"meta":' + orjson.dumps({"partnership": str(partnership), "as_at": on.isoformat()}))
    itself = {
        "id": f"partnership/{partnership.pk}",
        "name": partnership.name,
        "classification": "Partnership",
    }
    out.write(b',"organizations":[' + orjson.dumps(itself))
    current, comma = "organizations", True
    for key, queryset, render in sections:
        if key != current:
            out.write(f'],"{key}":['.encode())
            current, comma = key, False
        for item in queryset.iterator(chunk_size=CHUNK):
            out.write((b"," if comma else b"") + orjson.dumps(render(item)))
            comma = True
            if progress is not None:
                progress.advance()
    out.write(b"]}")


def build_handbook_pdf(partnership: Partnership, on: datetime.date, out, progress: Progress) -> None:
    from composition.handbook import handbook_write

    handbook_write(partnership, on, out, progress=progress.report)


BUILDERS = {
    Export.Kind.REGISTERS_CSV: build_registers_csv,
    Export.Kind.REGISTERS_XLSX: build_registers_xlsx,
    Export.Kind.POPOLO_JSON: build_popolo_json,
    Export.Kind.HANDBOOK_PDF: build_handbook_pdf,
}

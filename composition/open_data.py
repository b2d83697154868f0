"""A published partnership's open data: a zip of CSV files described by a Frictionless Data
Package (`datapackage.json`, a table schema per file), with the Popolo JSON beside them; licence
and date stated. Only public records (core/publication.py) and only the registers whose records
may be public; the columns are the registers' own (composition/registers.py)."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
import zipfile

import orjson
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bodies.models import Partnership
from composition.registers import REGISTERS, Register, RenderedColumn, text_cell
from core.access import restrict
from core.publication import PUBLIC
from core.spreadsheets import formula_safe

FRICTIONLESS_TYPES = {"string": "string", "boolean": "boolean", "date": "date", "datetime": "datetime",
                      "number": "number", "integer": "integer", "array": "array"}  # fmt: skip


def _field(column: RenderedColumn) -> dict:
    field = {"name": column.name, "title": column.heading, "type": FRICTIONLESS_TYPES[column.kind]}
    if column.kind == "boolean":
        field.update(trueValues=["Yes"], falseValues=["No"])
    if column.labels:
        field["constraints"] = {"enum": sorted(set(column.labels.values()))}
    if column.name == "id":
        field["constraints"] = {"required": True, "unique": True}
    return field


def _resource(register: Register) -> dict:
    return {
        "name": register.name,
        "title": register.title,
        "description": register.description,
        "path": f"{register.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": [_field(column) for column in register.rendered], "primaryKey": ["id"]},
    }


def _cell(value) -> str:
    """Open data cells: ISO dates, UTC times with a Z, lists as JSON arrays."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return formula_safe(text_cell(value))


def public_registers() -> list[Register]:
    return [register for register in REGISTERS if register.is_public]


def descriptor(partnership: Partnership, on: datetime.date) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": f"{partnership.slug}-governance",
        "title": f"Governance registers of {partnership.name}",
        "description": f"As at {on.isoformat()}. Records not for publication are left out.",
        "homepage": f"{settings.SITE_URL}{reverse('public:partnership', args=[partnership.slug])}",
        "created": timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [
            {
                "name": "OGL-UK-3.0",
                "title": settings.OPEN_DATA_LICENCE,
                "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            }
        ],
        "resources": [_resource(register) for register in public_registers()],
    }


def open_data_zip(partnership: Partnership, on: datetime.date):
    """The package as a file (spooled: in memory while small, on disk beyond)."""
    from composition.exports import build_popolo_json

    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 -- FileResponse closes it
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "datapackage.json", orjson.dumps(descriptor(partnership, on), option=orjson.OPT_INDENT_2)
        )
        for register in public_registers():
            with archive.open(f"{register.name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow([column.name for column in register.rendered])
                for row in register.values(partnership, on, public=True):
                    writer.writerow([_cell(value) for value in row])
                text.flush()
                text.detach()
        with archive.open("popolo.json", "w") as raw:
            build_popolo_json(partnership, on, raw, None, visible=lambda queryset: restrict(queryset, PUBLIC))
    out.seek(0)
    return out

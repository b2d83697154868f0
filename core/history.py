"""Reading the audit history: a record as it stood on a past day.

Effective dating answers "which records were in force"; for fields that are not
effective-dated (a body's name, a membership's note) the history tables answer "what did
this record say then".
"""

import datetime

import pghistory.models
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone


def record_as_at(instance: models.Model, on: datetime.date) -> models.Model | None:
    """An unsaved copy of `instance` as it stood at the end of `on`; None if it did not exist."""
    end = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))
    event = (
        pghistory.models.Events.objects.tracks(instance)
        .filter(pgh_created_at__lt=end)
        .order_by("-pgh_created_at", "-pgh_id")
        .first()
    )
    if event is None or event.pgh_label == "delete":
        return None
    model = type(instance)
    values = {
        field.attname: field.to_python(event.pgh_data[field.attname])
        for field in model._meta.concrete_fields
        if field.attname in event.pgh_data
    }
    snapshot = model(**values)
    snapshot._state.adding = False
    return snapshot


def changes_of(instance: models.Model, limit: int = 50) -> list[dict]:
    """The record's changes, newest first, as a page shows them: when, who, and each field's
    old → new value (choices by their labels). Two queries, whatever the number of changes."""
    events = (
        pghistory.models.MiddlewareEvents.objects.tracks(instance)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    return _rows(events, type(instance))


def changes_of_parts(
    parent: models.Model, parts: dict[type[models.Model], str], limit: int = 100
) -> list[dict]:
    """The changes to a record's parts (e.g. a terms of reference version's objectives and roles),
    newest first, removed rows included (their history outlives them). `parts` names each part
    model as people call it ("Objective"). Two queries."""
    labels = {model._meta.label: (model, name) for model, name in parts.items()}
    events = list(
        pghistory.models.MiddlewareEvents.objects.references(parent)
        .across(*(f"{label}Event" for label in labels))
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    rows = []
    for label, (model, name) in labels.items():
        for row in _rows([e for e in events if e.pgh_obj_model == label], model):
            row["what"] = f"{name} {row['data'].get('position', '')}".strip()
            rows.append(row)
    rows.sort(key=lambda row: (row["when"], row["id"]), reverse=True)
    return rows


def _rows(events, model: type[models.Model]) -> list[dict]:
    fields = {}
    for field in model._meta.concrete_fields:
        fields[field.attname] = field
        fields[field.name] = field
    rows = []
    for event in events:
        changes = []
        if event.pgh_label != "insert":
            for name, (old, new) in (event.pgh_diff or {}).items():
                if name == "revision":
                    continue
                field = fields.get(name)
                changes.append(
                    {
                        "field": name,
                        "label": str(field.verbose_name) if field is not None else name,
                        "old": _shown(field, old),
                        "new": _shown(field, new),
                    }
                )
        rows.append(
            {
                "id": event.pgh_id,
                "when": event.pgh_created_at,
                "who": event.user.get_username() if event.user else "",
                "label": event.pgh_label,
                "changes": changes,
                "data": event.pgh_data or {},
            }
        )
    return rows


def _shown(field, value) -> str:
    if value is None or value == "":
        return ""
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField | models.DateField):  # one date format (issue 17)
        try:
            parsed = field.to_python(value)
        except ValidationError:
            return str(value)
        if isinstance(parsed, datetime.datetime):
            parsed = timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed
            return formats.date_format(parsed, "DATETIME_FORMAT")
        return formats.date_format(parsed, "DATE_FORMAT") if parsed else ""
    return str(value)

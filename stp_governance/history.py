"""Reading the audit history: a record as it stood on a past day.

Effective dating answers "which records were in force"; for fields that are not
effective-dated (a body's name, a membership's note) the history tables answer "what did
this record say then".
"""

import datetime

import pghistory.models
from django.db import models
from django.utils import timezone


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

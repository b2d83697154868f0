"""No lost updates: every governed record carries a revision that the database bumps.

A BEFORE UPDATE trigger increments `revision` whenever a row really changes, so
`QuerySet.update()`, bulk updates and raw SQL move it too. The API's ETag is built from it;
a write must present the ETag it read (If-Match) and is refused with 412 when stale.
"""

import pgtrigger
from django.db import models

bump_revision = pgtrigger.Trigger(
    name="bump_revision",
    when=pgtrigger.Before,
    operation=pgtrigger.Update,
    condition=pgtrigger.Condition("OLD.* IS DISTINCT FROM NEW.*"),
    func="NEW.revision := OLD.revision + 1; RETURN NEW;",
)


class Revisioned(models.Model):
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def etag_for(instance: Revisioned) -> str:
    """A strong ETag: the same bytes mean the same revision of the same record."""
    return etag_of(type(instance), instance.pk, instance.revision)


def etag_of(model: type[models.Model], pk: int, revision: int) -> str:
    return f'"{model._meta.label_lower}.{pk}.r{revision}"'


def revision_in(tags: set[str], instance: models.Model) -> int | None:
    """The revision an If-Match tag names for this record (None when no tag is this record's)."""
    prefix = f'"{instance._meta.label_lower}.{instance.pk}.r'
    for tag in tags:
        if tag.startswith(prefix) and tag.endswith('"') and tag[len(prefix) : -1].isdigit():
            return int(tag[len(prefix) : -1])
    return None

"""Recording that one organisation succeeded another (merger, replacement, rename, transfer).

A minimal version written for issue 17's ODS successor-file import; issue 20 owns the succession
rules (splits, renames, lineage) and its validation takes precedence when the two are reconciled.
What it refuses here: an organisation succeeding itself, a circle (A → B → A, however long), and
a successor dissolved before the succession took effect. Successions are serialised with a
transaction-level advisory lock, so two concurrent writes cannot close a circle between them.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from bodies.models import Organisation, OrganisationSuccession

SUCCESSION_LOCK = 17_017  # pg_advisory_xact_lock key: one succession written at a time


def _successors_of(organisation_id: int) -> set[int]:
    """Every organisation that succeeded `organisation_id`, directly or through others."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE later(id) AS (
                SELECT successor_id FROM bodies_organisationsuccession WHERE predecessor_id = %s
                UNION
                SELECT s.successor_id FROM bodies_organisationsuccession s JOIN later ON s.predecessor_id = later.id
            )
            SELECT id FROM later
            """,
            [organisation_id],
        )
        return {row[0] for row in cursor.fetchall()}


@transaction.atomic
def record_succession(
    *,
    predecessor: Organisation,
    successor: Organisation,
    effective_on: datetime.date,
    kind: str = OrganisationSuccession.Kind.MERGER,
    note: str = "",
    source_document: str = "",
    source_url: str = "",
) -> OrganisationSuccession:
    """Record that `successor` stood in `predecessor`'s place from `effective_on` (idempotent for the
    same pair: the existing record is returned unchanged)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUCCESSION_LOCK])
    if predecessor.pk == successor.pk:
        raise ValidationError({"successor": "An organisation cannot succeed itself."})
    existing = OrganisationSuccession.objects.filter(predecessor=predecessor, successor=successor).first()
    if existing is not None:
        return existing
    if predecessor.pk in _successors_of(successor.pk):
        raise ValidationError(
            {
                "successor": f"{successor.name} already succeeded {predecessor.name} (directly or through others): "
                "a succession cannot go round in a circle."
            }
        )
    if successor.dissolved_on is not None and successor.dissolved_on < effective_on:
        raise ValidationError(
            {
                "effective_on": f"{successor.name} was dissolved on {successor.dissolved_on:%-d %B %Y}, "
                "before the succession took effect."
            }
        )
    succession = OrganisationSuccession(
        predecessor=predecessor,
        successor=successor,
        effective_on=effective_on,
        kind=kind,
        note=note,
        source_document=source_document,
        source_url=source_url,
    )
    succession.full_clean()
    succession.save()
    return succession

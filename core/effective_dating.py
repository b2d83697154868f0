"""Effective dating: every record that changes over time says when it was in force.

`effective_from` is the first day in force and `effective_to` the last (inclusive); an
empty `effective_to` means "still in force", an empty `effective_from` means "in force
since before the registry knows". In SQL the period is `daterange(from, to, '[]')`, so
exclusion constraints can refuse overlapping periods in the database itself.
"""

import datetime
import operator

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone

from core.access import RestrictedQuerySet


class DateRange(Func):
    """`daterange(lower, upper, '[]')`: the record's period, both ends inclusive."""

    function = "DATERANGE"
    output_field = DateRangeField()


def period() -> DateRange:
    return DateRange("effective_from", "effective_to", Value("[]"))


def no_overlap(name: str, *same: str, condition: Q | None = None) -> ExclusionConstraint:
    """A constraint refusing two rows with equal `same` columns whose periods overlap."""
    return ExclusionConstraint(
        name=name,
        expressions=[
            *((F(column), RangeOperators.EQUAL) for column in same),
            (period(), RangeOperators.OVERLAPS),
        ],
        condition=condition,
        violation_error_message=f"This period overlaps another record for the same {', '.join(same)}.",
    )


def today() -> datetime.date:
    return timezone.localdate()


# "In force on a day", written once: each bound is empty (open) or on the right side of the day.
# (column, ORM lookup, SQL operator, Python comparison of the bound with the day)
IN_FORCE_BOUNDS = (
    ("effective_from", "lte", "<=", operator.le),
    ("effective_to", "gte", ">=", operator.ge),
)


def in_force_q(on: datetime.date, prefix: str = "") -> Q:
    """Rows (or, with `prefix`, related rows) in force on the given day."""
    condition = Q()
    for column, lookup, _, _ in IN_FORCE_BOUNDS:
        condition &= Q(**{f"{prefix}{column}__isnull": True}) | Q(**{f"{prefix}{column}__{lookup}": on})
    return condition


def in_force_sql(alias: str, on: str = "%(on)s") -> str:
    """`in_force_q` for a raw statement: the row `alias` in force on the day bound to the placeholder `on`."""
    return " AND ".join(
        f"({alias}.{column} IS NULL OR {alias}.{column} {sql} {on})" for column, _, sql, _ in IN_FORCE_BOUNDS
    )


class EffectiveDatedQuerySet(RestrictedQuerySet):
    def in_force(self, on: datetime.date | None = None):
        """Rows in force on `on` (default: today)."""
        return self.filter(in_force_q(on or today()))


class EffectiveDated(models.Model):
    effective_from = models.DateField(
        null=True, blank=True, help_text="First day in force. Empty: in force since before records began."
    )
    effective_to = models.DateField(
        null=True, blank=True, help_text="Last day in force (inclusive). Empty: still in force."
    )

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_period_in_order",
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or today()
        return all(
            getattr(self, column) is None or compare(getattr(self, column), on)
            for column, _, _, compare in IN_FORCE_BOUNDS
        )

    def clean(self):
        super().clean()
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "The end date cannot be before the start date."})


class Sourced(models.Model):
    """Where a fact comes from: the registry's facts come from published papers."""

    source_document = models.CharField(max_length=200, blank=True, help_text="Document title or file name.")
    source_reference = models.CharField(
        max_length=200, blank=True, help_text="Section, table or page within the document."
    )
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def source_citation(self) -> str:
        return ", ".join(part for part in (self.source_document, self.source_reference) if part)

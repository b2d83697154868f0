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
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone

from core.access import RestrictedQuerySet, is_registry_administrator, security_log


class DateRange(Func):
    """`daterange(lower, upper, '[]')`: the record's period, both ends inclusive."""

    function = "DATERANGE"
    output_field = DateRangeField()


def period() -> DateRange:
    return DateRange("effective_from", "effective_to", Value("[]"))


class NoOverlapConstraint(ExclusionConstraint):
    """Django's exclusion constraint, whose validation skips a condition on a field that failed
    its own validation: Django 5.2 raises FieldError there, so a form missing an appointment's
    role was a 500 rather than "Choose role". Migrations see Django's class (same SQL)."""

    def validate(self, model, instance, exclude=None, **kwargs):
        if exclude and self.condition is not None and _fields_of(self.condition) & set(exclude):
            return
        super().validate(model, instance, exclude=exclude, **kwargs)

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return "django.contrib.postgres.constraints.ExclusionConstraint", args, kwargs


def _fields_of(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _fields_of(child)
        else:
            names.add(child[0].split("__")[0])
    return names


def no_overlap(name: str, *same: str, condition: Q | None = None) -> ExclusionConstraint:
    """A constraint refusing two rows with equal `same` columns whose periods overlap."""
    return NoOverlapConstraint(
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

    def never_in_force(self) -> bool:
        """A record that was never in force (a draft) is work in progress, deleted like any other."""
        return False


# -- ending, not deleting ---------------------------------------------------------------------
END_IT_INSTEAD = (
    "A {name} is ended, not deleted: give it its last day in force (effective_to), and the "
    "record of what applied stays. Only a registry administrator may delete one entered in "
    "error, giving the reason."
)
GIVE_THE_REASON = "Say why this record is deleted (it was entered in error how?)."


def deletion_refusal(*, user, instance: models.Model, reason: str) -> dict[str, str] | None:
    """Why `user` may not delete `instance`, as {"detail"|"reason": message}; None if they may.

    The one rule for effective-dated records, used by the API and the admin: they are ended on
    their last day, never deleted, unless a registry administrator deletes one entered in error
    and says why (the reason goes into the history with the delete event).
    """
    if not isinstance(instance, EffectiveDated) or instance.never_in_force():
        return None
    if not is_registry_administrator(user):
        return {"detail": END_IT_INSTEAD.format(name=instance._meta.verbose_name)}
    if not reason.strip():
        return {"reason": GIVE_THE_REASON}
    return None


def log_deletion(*, user, model: type[models.Model], pk: int, reason: str) -> None:
    security_log.info(
        "record_deleted user=%s model=%s pk=%s reason=%r",
        getattr(user, "pk", None),
        model._meta.label,
        pk,
        reason,
    )


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


def overlapping(instance: models.Model) -> list[models.Model]:
    """The saved rows a (not yet saved) record's period would overlap under its model's no-overlap
    constraints: what "This period overlaps another record" is about, to name it (issue 17)."""
    model = type(instance)
    found = []
    for constraint in model._meta.constraints:
        if not isinstance(constraint, ExclusionConstraint):
            continue
        same = {}
        for expression, operator_ in constraint.expressions:
            if operator_ == RangeOperators.EQUAL and isinstance(expression, F):
                same[expression.name] = instance.serializable_value(expression.name)
        rows = model._default_manager.filter(**same).exclude(pk=instance.pk)
        if constraint.condition is not None:
            if not _meets(instance, constraint.condition):
                continue
            rows = rows.filter(constraint.condition)
        start, end = instance.effective_from, instance.effective_to
        if end is not None:
            rows = rows.filter(Q(effective_from__isnull=True) | Q(effective_from__lte=end))
        if start is not None:
            rows = rows.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        found.extend(rows.order_by("effective_from")[:3])
    return found


def _meets(instance: models.Model, condition: Q) -> bool:
    """Whether the unsaved record meets a constraint's condition (`role = 'chair'`), asked of the database."""
    against = {
        field.name: Value(getattr(instance, field.attname))
        for field in type(instance)._meta.concrete_fields
        if not isinstance(getattr(instance, field.attname), list | dict)
    }
    try:
        return condition.check(against)
    except (FieldError, TypeError, ValueError):  # a condition this cannot evaluate: name the rows anyway
        return True

"""Filter building blocks: unknown or malformed parameters are refused, effective-dated lists take ?as_at=."""

import datetime

import django_filters
from django import forms
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter, SearchFilter

ALWAYS_ALLOWED = {"limit", "offset", "cursor", "format", "brief", "search", "ordering"}


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false` (or `1`/`0`); anything else is an error rather than "no filter"."""

    TRUE, FALSE = ("true", "1"), ("false", "0")
    widget = forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])

    def to_python(self, value):
        text = str(value).strip().lower() if value is not None else ""
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        if text:
            raise forms.ValidationError("Give true or false.", code="invalid")
        return None

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a count): `0.5` is an error, not a filter that matches nothing."""

    field_class = forms.IntegerField


class UTCDateTimeField(forms.DateTimeField):
    """An ISO 8601 date and time, turned to UTC here: an offset the database cannot store
    (`-18:36`) or a moment outside the calendar is a 400, not a database error."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except (OverflowError, ValueError):
                raise forms.ValidationError("Give a date and time between the years 1 and 9999.") from None
        return value


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = UTCDateTimeField


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """`?status__in=draft,approved`: each value must be one of the field's choices."""


INTEGER_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallIntegerField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


class RegistryFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        **{field: {"filter_class": IntegerFilter} for field in INTEGER_FIELDS},
        models.BooleanField: {"filter_class": BooleanFilter},
        models.DateTimeField: {"filter_class": DateTimeFilter},
    }

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        if lookup_type == "in" and getattr(field, "choices", None):
            return ChoiceInFilter, {"choices": field.choices}
        return super().filter_for_lookup(field, lookup_type)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        if data is not None:
            errors = {
                name: ["Unknown filter."] for name in sorted(set(data) - set(self.filters) - ALWAYS_ALLOWED)
            }
            getlist = getattr(data, "getlist", None)
            if getlist is not None:
                for name in sorted(set(data) - set(errors)):
                    if len(getlist(name)) > 1:
                        errors[name] = ["Give this parameter once (a list is comma-separated)."]
            if errors:
                raise exceptions.ValidationError(errors)


class EffectiveDatedFilterSet(RegistryFilterSet):
    as_at = django_filters.DateFilter(method="filter_as_at", label="In force on (YYYY-MM-DD)")

    def filter_as_at(self, queryset, name, value):
        return queryset.in_force(value)


def date_lookups(*names: str) -> dict[str, list[str]]:
    return {name: ["exact", "gte", "lte", "isnull"] for name in names}


class RegistrySearchFilter(SearchFilter):
    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except exceptions.ValidationError as error:
            raise exceptions.ValidationError({self.search_param: error.detail}) from None


class RegistryOrderingFilter(OrderingFilter):
    def filter_queryset(self, request, queryset, view):
        # Recorded for keyset pages (api/pagination.py), which page by the list's ordering.
        ordering = self.get_ordering(request, queryset, view)
        view.applied_ordering = tuple(ordering) if ordering else None
        return queryset.order_by(*ordering) if ordering else queryset

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, list | tuple):
            for parameter in parameters:
                # A comma-separated list of fields, each optionally prefixed with "-" for descending.
                choices = [prefix + name for name in fields for prefix in ("", "-")]
                parameter["schema"] = {"type": "array", "items": {"type": "string", "enum": choices}}
                parameter.update(style="form", explode=False)
        return parameters

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        invalid = [term for term in fields if term not in valid]
        if invalid:
            allowed = ", ".join(
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            )
            raise exceptions.ValidationError(
                {self.ordering_param: [f"Cannot order by {', '.join(invalid)}; choose from {allowed}."]}
            )
        return valid

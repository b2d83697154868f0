"""Filter building blocks: unknown parameters are refused, effective-dated lists take ?as_at=."""

import django_filters
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter, SearchFilter

ALWAYS_ALLOWED = {"limit", "offset", "format", "brief", "search", "ordering"}


class RegistryFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        if data is not None:
            unknown = sorted(set(data) - set(self.filters) - ALWAYS_ALLOWED)
            if unknown:
                raise exceptions.ValidationError({name: ["Unknown filter."] for name in unknown})


class EffectiveDatedFilterSet(RegistryFilterSet):
    as_at = django_filters.DateFilter(method="filter_as_at", label="In force on (YYYY-MM-DD)")

    def filter_as_at(self, queryset, name, value):
        return queryset.in_force(value)


def date_lookups(*names: str) -> dict[str, list[str]]:
    return {name: ["exact", "gte", "lte", "isnull"] for name in names}


class RegistrySearchFilter(SearchFilter):
    pass


class RegistryOrderingFilter(OrderingFilter):
    pass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Window
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination


class RegistryPagination(LimitOffsetPagination):
    """Limit/offset pages of 50 (at most 1000); an unordered queryset is a programming error.

    A malformed limit or offset is a 400, not silently the first page.
    """

    default_limit = 50
    max_limit = 1000
    limit_query_description = "Number of results to return per page (at most 1000; 50 if not given)."

    def paginate_queryset(self, queryset, request, view=None):
        if hasattr(queryset, "ordered") and not queryset.ordered:
            raise ImproperlyConfigured(f"{view.__class__.__name__} paginates an unordered queryset.")
        return super().paginate_queryset(queryset, request, view)

    def paginate_values(self, queryset, request, view=None) -> list[dict]:
        """A page of `.values()` rows with the total counted in the same query (a window), not a
        second COUNT query; only a page past the end needs the separate count."""
        if not queryset.ordered:
            raise ImproperlyConfigured(f"{view.__class__.__name__} paginates an unordered queryset.")
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        rows = list(queryset.annotate(_total=Window(Count("*")))[self.offset : self.offset + self.limit])
        self.count = rows[0]["_total"] if rows else (0 if self.offset == 0 else queryset.count())
        return rows

    def get_limit(self, request):
        limit = self._whole_number(request, self.limit_query_param, minimum=1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return self._whole_number(request, self.offset_query_param, minimum=0) or 0

    def _whole_number(self, request, name: str, minimum: int) -> int | None:
        raw = request.query_params.get(name, "")
        if raw == "":
            return None
        if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
            raise exceptions.ValidationError({name: [f"Give a whole number, at least {minimum}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            minimum = 1 if parameter["name"] == self.limit_query_param else 0
            parameter["schema"]["minimum"] = minimum
        return parameters

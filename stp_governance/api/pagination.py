from django.core.exceptions import ImproperlyConfigured
from rest_framework.pagination import LimitOffsetPagination


class RegistryPagination(LimitOffsetPagination):
    """Limit/offset pages of 50 (at most 1000); an unordered queryset is a programming error."""

    default_limit = 50
    max_limit = 1000

    def paginate_queryset(self, queryset, request, view=None):
        if hasattr(queryset, "ordered") and not queryset.ordered:
            raise ImproperlyConfigured(f"{view.__class__.__name__} paginates an unordered queryset.")
        return super().paginate_queryset(queryset, request, view)

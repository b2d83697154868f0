"""System checks: a resource whose list cannot take the fast read path says why at start-up."""

from __future__ import annotations

from django.core.checks import Warning, register
from django.urls import URLResolver, get_resolver


@register("api")
def fast_path_plans(app_configs=None, **kwargs) -> list[Warning]:
    """Every API resource's plan (api/fastpath.py) is built once here; one that cannot render its
    serializer from `.values()` rows reads through the serializer, ten times slower: a warning
    naming the field and the reason, instead of a silent fallback."""
    from core.api.viewsets import RegistryViewSet

    seen = {}
    for view_class in _view_classes(get_resolver().url_patterns):
        if issubclass(view_class, RegistryViewSet) and view_class.serializer_class is not None:
            seen.setdefault(view_class.serializer_class, view_class.__name__)
    return [
        warning
        for serializer_class, name in seen.items()
        if (warning := plan_warning(name, serializer_class)) is not None
    ]


def _view_classes(patterns):
    """The class-based views the URLconf serves (the core knows the API's viewsets only from there)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _view_classes(pattern.url_patterns)
        elif getattr(pattern.callback, "cls", None) is not None:
            yield pattern.callback.cls


def plan_warning(name: str, serializer_class) -> Warning | None:
    from core.api.fastpath import plan_for

    plan = plan_for(serializer_class)
    if plan.supported:
        return None
    return Warning(
        f"`{name}` ({serializer_class.__name__}) is read through the serializer, not the fast path: {plan.reason}.",
        hint="Give the field a form the fast path renders (docs/decisions/0009-read-path.md).",
        obj=serializer_class,
        id="api.W001",
    )

"""System checks: a resource whose list cannot take the fast read path says why at start-up."""

from __future__ import annotations

from django.core.checks import Warning, register


@register("api")
def fast_path_plans(app_configs=None, **kwargs) -> list[Warning]:
    """Every API resource's plan (api/fastpath.py) is built once here; one that cannot render its
    serializer from `.values()` rows reads through the serializer, ten times slower: a warning
    naming the field and the reason, instead of a silent fallback."""
    from stp_governance.api.urls import router

    return [
        warning
        for prefix, viewset, _ in router.registry
        if (warning := plan_warning(prefix, viewset.serializer_class)) is not None
    ]


def plan_warning(name: str, serializer_class) -> Warning | None:
    from stp_governance.api.fastpath import plan_for

    plan = plan_for(serializer_class)
    if plan.supported:
        return None
    return Warning(
        f"`{name}` ({serializer_class.__name__}) is read through the serializer, not the fast path: {plan.reason}.",
        hint="Give the field a form the fast path renders (docs/decisions/0008-read-path.md).",
        obj=serializer_class,
        id="api.W001",
    )

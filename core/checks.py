"""System checks: a resource whose list cannot take the fast read path says why at start-up."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.http.request import split_domain_port, validate_host

from core.api.representation import api_resources


@register("api")
def fast_path_plans(app_configs=None, **kwargs) -> list[Warning]:
    """Every API resource's plan (api/fastpath.py) is built once here; one that cannot render its
    serializer from `.values()` rows reads through the serializer, ten times slower: a warning
    naming the field and the reason, instead of a silent fallback."""
    seen = {}
    for resource in api_resources():
        seen.setdefault(resource.serializer_class, resource.__name__)
    return [
        warning
        for serializer_class, name in seen.items()
        if (warning := plan_warning(name, serializer_class)) is not None
    ]


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


@register("core")
def site_url_is_allowed(app_configs=None, **kwargs) -> list[Error]:
    """Links in emails and webhook payloads are built on SITE_URL, as a request to it: its host must
    be one ALLOWED_HOSTS accepts, or building them would be refused."""
    host, _ = split_domain_port(urlsplit(settings.SITE_URL).netloc)
    # As Django reads it: with DEBUG and no ALLOWED_HOSTS, the local names.
    allowed = settings.ALLOWED_HOSTS or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if host and validate_host(host, allowed):
        return []
    return [
        Error(
            f"SITE_URL's host {host!r} is not in ALLOWED_HOSTS.",
            hint="Add it to ALLOWED_HOSTS, or set SITE_URL to the site's address.",
            id="core.E002",
        )
    ]

"""A record as the API reads it, outside any request (webhook payloads).

The serializer of the record's own API resource renders it, with links built on `SITE_URL`, so
an event's data and `GET /api/v1/<resource>/<id>/` never say different things, and a field added
to the resource reaches the events without anyone writing it twice.
"""

from __future__ import annotations

import functools
import io
from urllib.parse import urlsplit

import orjson
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import models
from django.urls import URLResolver, get_resolver
from rest_framework.request import Request

from core.api.renderers import ORJSONRenderer


def api_representation(record: models.Model) -> dict:
    """The record's API representation as plain JSON values (dates as ISO text, amounts as text),
    read again as its resource reads it: with the related rows its serializer shows, in a fixed
    number of queries."""
    from core.api.serializers import prefetches_for

    resource = resource_for(type(record))
    select, prefetch = prefetches_for(resource.serializer_class)
    fresh = (
        resource.queryset.filter(pk=record.pk)
        .select_related(*select)
        .prefetch_related(*resource.prefetches, *prefetch)
        .get()
    )
    data = resource.serializer_class(fresh, context={"request": site_request()}).data
    return orjson.loads(ORJSONRenderer().render(data))


@functools.cache
def resource_for(model: type[models.Model]):
    """The API resource (viewset class) listing `model`."""
    for resource in api_resources():
        if getattr(resource.queryset, "model", None) is model:
            return resource
    raise LookupError(f"No API resource lists {model._meta.label}.")


def api_resources() -> list:
    """The registry's API resources (viewset classes) as the URLconf serves them, each once: the
    core reads them there, importing no app's API."""
    from core.api.viewsets import RegistryViewSet

    found = dict.fromkeys(
        view_class
        for view_class in view_classes(get_resolver().url_patterns)
        if issubclass(view_class, RegistryViewSet) and view_class.serializer_class is not None
    )
    return list(found)


def view_classes(patterns):
    """The class-based views the URLconf serves."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from view_classes(pattern.url_patterns)
        elif getattr(pattern.callback, "cls", None) is not None:
            yield pattern.callback.cls


def site_request() -> Request:
    """A GET of the site's root as `SITE_URL` names it: links in the representation point there.
    Its host is checked against ALLOWED_HOSTS like any request's (the system check core.E002 says
    so at start-up when SITE_URL's host is not allowed)."""
    site = urlsplit(settings.SITE_URL)
    default_port = 443 if site.scheme == "https" else 80
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": site.hostname or "localhost",
        "SERVER_PORT": str(site.port or default_port),
        "HTTP_HOST": site.netloc,
        "wsgi.url_scheme": site.scheme or "http",
        "wsgi.input": io.BytesIO(b""),
    }
    return Request(WSGIRequest(environ))

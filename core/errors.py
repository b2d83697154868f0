"""Answers for requests the registry cannot serve: a body too large, the database unreachable.

The API answers in JSON like its other errors (`{"detail": ...}`); pages answer with a page in
the design system. Both are built without the database: nothing here reads the session, the
user or a context processor, so they render while PostgreSQL is down.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# How long a client should wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 30


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


# Connection refused or lost, the server shutting down: it passes, so 503, not 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_UNAVAILABLE)


def body_limit() -> str:
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:g} MB"


def unavailable_response(request) -> HttpResponse:
    detail = "The registry is temporarily unavailable; nothing was read or saved. Try again shortly."
    if is_api(request):
        response = JsonResponse({"detail": detail}, status=503)
    else:
        page = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def too_large_response(request) -> HttpResponse:
    if is_api(request):
        detail = f"The request body is larger than the {body_limit()} the API accepts."
        return JsonResponse({"detail": detail}, status=413)
    return HttpResponse(render_to_string("413.html", {"limit": body_limit()}), status=413)


def bad_request(request, exception):
    """handler400: Django's answer to a SuspiciousOperation, a body too large among them (413)."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    if is_api(request):
        return JsonResponse({"detail": "The request is malformed."}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    """handler500. An unreachable database found inside a middleware layer (sessions, the user)
    arrives here rather than at a middleware's process_exception: answer 503 for it too."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if is_api(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side; the change was not saved."}, status=500
        )
    return defaults.server_error(request)

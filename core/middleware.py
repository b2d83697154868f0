"""Request-wide middleware: a 503 while the database is unreachable, a request id in the audit
context, no caching of private pages."""

import logging
import re
import uuid

from django.db import connection
from django.urls import reverse
from pghistory.middleware import HistoryMiddleware

from core.errors import DATABASE_UNAVAILABLE, database_unavailable, unavailable_response

logger = logging.getLogger(__name__)

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class DatabaseAvailabilityMiddleware:
    """While PostgreSQL is unreachable, every request answers 503 with Retry-After (JSON for the
    API, a page otherwise), and the site recovers by itself when it returns.

    Outermost but for security headers: sessions, authentication and the audit context all query
    the database, and an error inside their layers would reach Django as a 500. The connection is
    checked here first (the check Django makes at a request's first query anyway, so no extra
    round trip); a connection lost later in the request is answered by `process_exception`, or by
    handler500 (core/errors.py) when a middleware layer meets it. /health/ keeps its own
    answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != reverse("health"):
            try:
                connection.close_if_health_check_failed()
                connection.ensure_connection()
            except DATABASE_UNAVAILABLE as error:
                logger.warning("database unavailable: %s", str(error).strip().partition("\n")[0])
                return unavailable_response(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            logger.warning("database unavailable during %s %s", request.method, request.path)
            return unavailable_response(request)
        return None


class RequestHistoryMiddleware(HistoryMiddleware):
    """Audit context for every change: the acting user (also when DRF authenticates a token
    later in the request), the URL and a request id, echoed as `X-Request-ID`."""

    def get_context(self, request):
        context = super().get_context(request)
        context["request_id"] = request.request_id
        return context

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request.request_id = supplied if REQUEST_ID.match(supplied) else uuid.uuid4().hex
        response = super().__call__(request)
        response["X-Request-ID"] = request.request_id
        return response


class NoStoreForAuthenticatedMiddleware:
    """Nothing shown to a signed-in user or a token holder may be kept by a shared cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        authenticated = getattr(user, "is_authenticated", False) or "HTTP_AUTHORIZATION" in request.META
        if authenticated:
            response["Cache-Control"] = "no-store"
            response.setdefault("Vary", "Cookie, Authorization")
        return response

"""Request-wide middleware: a request id in the audit context, no caching of private pages."""

import re
import uuid

from pghistory.middleware import HistoryMiddleware

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


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

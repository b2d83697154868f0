"""Who may call the API: an account (signed in, or through its token) for everything its roles
allow; anyone, without credentials, for reading the kinds of record that may be public — and then
only the public records (core/publication.py, through `restrict`), throttled per address."""

from rest_framework import permissions, throttling

from core.publication import is_public_kind
from core.ratelimit import client_address, hit


class AccountOrPublicRead(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        if request.method not in permissions.SAFE_METHODS:
            return False
        queryset = getattr(view, "queryset", None)
        return queryset is not None and is_public_kind(queryset.model)


class PublicReadThrottle(throttling.BaseThrottle):
    """Requests without an account, counted per client address in the shared counters
    (core/ratelimit.py, scope `public_address`); an account's requests are never counted here."""

    def allow_request(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        self.wait_seconds = hit(scope="public_address", ident=client_address(request))
        return self.wait_seconds is None

    def wait(self):
        return self.wait_seconds

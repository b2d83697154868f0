"""Throttling failed token authentications, by client address and by key prefix.

Only failures count, and only a failure is answered 429: a valid token is never throttled here,
so no one can lock a client out by sending bad keys that share its key's prefix. The address
count slows one machine guessing; the prefix count slows guesses at one key from many machines.
"""

from rest_framework import exceptions

from core.access import security_log
from core.ratelimit import client_address, hit

ADDRESS_SCOPE = "auth_failure_address"
KEY_PREFIX_SCOPE = "auth_failure_key_prefix"
KEY_PREFIX_LENGTH = 12  # as ApiToken.key_prefix: "stp_" and eight characters


class TooManyFailedAuthentications(exceptions.Throttled):
    default_detail = "Too many failed authentications."


def failed_authentication_throttle(request, raw_key: str) -> None:
    """Count a failed authentication; raise 429 (with Retry-After) once either count is over its rate."""
    address = client_address(request)
    waits = [
        hit(scope=ADDRESS_SCOPE, ident=address),
        hit(scope=KEY_PREFIX_SCOPE, ident=raw_key[:KEY_PREFIX_LENGTH]) if raw_key else None,
    ]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        security_log.warning("token_throttled ip=%s prefix=%s retry_after=%s", address, raw_key[:8], wait)
        raise TooManyFailedAuthentications(wait=wait)

"""Counting failures and requests in fixed windows, in the cache every web process shares.

Used where guessing or flooding must be slowed: failed API token authentications
(`core.api.throttling`) and password reset requests (`core.account_pages`).
A count is an atomic increment of a key named by the window, so concurrent requests in other
processes are never lost and a window's key simply expires after it.
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.utils.crypto import salted_hmac
from rest_framework.throttling import BaseThrottle

CACHE_ALIAS = "throttle"
clock = time.time  # tests fix it, so that a count never straddles a window's end
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}  # as DRF reads a rate


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the one `NUM_PROXIES` trusted proxies saw (DRF's rule)."""
    return BaseThrottle().get_ident(request) or "unknown"


def rate_for(scope: str) -> tuple[int, int]:
    """(limit, window in seconds) for a scope of settings.RATE_LIMITS, written as DRF's rates ("20/hour")."""
    number, period = settings.RATE_LIMITS[scope].split("/")
    return int(number), PERIODS[period[0]]


def hit(*, scope: str, ident: str) -> int | None:
    """Count one event for `ident` in `scope`; the seconds to wait when it is over the limit, else None."""
    limit, window = rate_for(scope)
    now = clock()
    index = int(now // window)
    # Keyed hash: an ident may be an email address or part of a key, which the cache must not hold.
    digest = salted_hmac("ratelimit", ident).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{index}"
    cache = caches[CACHE_ALIAS]
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls: the window has just ended
        return None
    if count <= limit:
        return None
    return max(1, int((index + 1) * window - now + 0.999))

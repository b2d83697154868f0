"""An account's sessions: recorded at sign-in, listed on its sessions page, ended one at a time or
all at once (deactivation). Sessions are cached in the shared Redis and kept in the database
(settings: SESSION_CACHE_ALIAS), so an ended session is gone for every web process; a deactivated
account is refused by every process anyway, as Django reads the account on each request."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.db import transaction

from core.access import security_log
from core.models import AccountSession, ApiToken


def _store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def session_record(*, request, user, method: str = "password") -> None:
    """Remember the session just signed in (its key changed at sign-in)."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    AccountSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "user_agent": request.headers.get("User-Agent", "")[:300],
            "ip_address": request.META.get("REMOTE_ADDR") or None,
            "method": method,
        },
    )


def live_sessions(user) -> list[AccountSession]:
    """The account's sessions that still exist (ones that expired or signed out are dropped)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    records = list(AccountSession.objects.filter(user=user))
    alive = set(
        Session.objects.filter(
            session_key__in=[r.session_key for r in records], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    gone = [r.pk for r in records if r.session_key not in alive]
    if gone:
        AccountSession.objects.filter(pk__in=gone).delete()
    return [r for r in records if r.session_key in alive]


def session_end(*, user, session_key: str) -> bool:
    """End one of the account's sessions, in every web process at once."""
    deleted, _ = AccountSession.objects.filter(user=user, session_key=session_key).delete()
    if deleted:
        _store(session_key).delete(session_key)
        security_log.info("session_ended user=%s", user.pk)
    return bool(deleted)


@transaction.atomic
def account_deactivate(*, user, by=None) -> dict:
    """Deactivate the account: it can no longer sign in, its sessions end and its API tokens are
    revoked, all at once. Returns how many of each were ended."""
    from django.utils import timezone

    user.is_active = False
    user.save(update_fields=["is_active"])
    keys = list(AccountSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete(key)
    AccountSession.objects.filter(user=user).delete()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    security_log.info(
        "account_deactivated user=%s sessions=%s tokens=%s by=%s",
        user.pk,
        len(keys),
        tokens,
        getattr(by, "pk", None),
    )
    return {"sessions": len(keys), "tokens": tokens}

"""Issuing and revoking API tokens (the raw key is returned once and never stored)."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.access import security_log
from core.models import ApiToken, hash_token_key

MAX_LIFETIME = datetime.timedelta(days=366)


@transaction.atomic
def api_token_issue(
    *,
    name: str,
    user,
    partnership=None,
    read_only: bool = True,
    expires_at: datetime.datetime | None = None,
    created_by=None,
) -> tuple[ApiToken, str]:
    """Issue a token; returns it with the raw key, which the caller shows once."""
    now = timezone.now()
    expires_at = expires_at or now + datetime.timedelta(days=90)
    if expires_at <= now:
        raise ValidationError({"expires_at": "A token must expire in the future."})
    if expires_at - now > MAX_LIFETIME:
        raise ValidationError({"expires_at": "A token may live for a year at most."})
    raw_key = "stp_" + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        user=user,
        partnership=partnership,
        read_only=read_only,
        expires_at=expires_at,
        created_by=created_by,
        key_prefix=raw_key[:12],
        key_hash=hash_token_key(raw_key),
    )
    token.full_clean()
    token.save()
    security_log.info(
        "token_issued token=%s partnership=%s read_only=%s expires_at=%s by=%s",
        token.pk,
        token.partnership_id or "national",
        token.read_only,
        token.expires_at.isoformat(),
        getattr(created_by, "pk", None),
    )
    return token, raw_key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by=None) -> ApiToken:
    """Revoke now; takes effect on the token's next request."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        security_log.info("token_revoked token=%s by=%s", token.pk, getattr(revoked_by, "pk", None))
    return token

"""Token authentication for other systems: `Authorization: Bearer <key>` (or `Token <key>`)."""

import datetime

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.access import security_log
from core.api.throttling import failed_authentication_throttle
from core.models import ApiToken, hash_token_key

TOUCH_INTERVAL = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        try:
            return self.authenticate_key(request)
        except exceptions.AuthenticationFailed:
            header = authentication.get_authorization_header(request).split()
            failed_authentication_throttle(
                request, header[1].decode(errors="replace") if len(header) > 1 else ""
            )
            raise

    def authenticate_key(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the token as 'Authorization: Bearer <key>'.")
        try:
            raw_key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token_key(raw_key)).first()
        now = timezone.now()
        if token is None:
            security_log.warning("token_rejected reason=unknown prefix=%s", raw_key[:8])
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            security_log.warning("token_rejected reason=revoked token=%s", token.pk)
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        if token.expires_at <= now:
            security_log.warning("token_rejected reason=expired token=%s", token.pk)
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's account is inactive.")
        if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        user = token.user
        user.api_token = token
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}

"""Structured security log lines (logger `core.security`): never secrets, never passwords."""

from django.contrib.auth.signals import user_logged_in, user_login_failed

from core.access import security_log


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "?") if request is not None else "?"


def log_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    security_log.warning("login_failed username=%r ip=%s", username, _client_address(request))


def log_logged_in(sender, request, user, **kwargs):
    security_log.info("login_succeeded user=%s ip=%s", user.pk, _client_address(request))


def record_session(sender, request, user, **kwargs):
    """The new session joins the account's sessions page (core.account_sessions)."""
    if request is None or not hasattr(request, "session"):
        return
    from core.account_sessions import session_record

    method = "single sign-on" if getattr(user, "backend", "").startswith("core.oidc") else "password"
    session_record(request=request, user=user, method=method)


def connect() -> None:
    user_login_failed.connect(log_login_failed, dispatch_uid="security_log_login_failed")
    user_logged_in.connect(log_logged_in, dispatch_uid="security_log_logged_in")
    user_logged_in.connect(record_session, dispatch_uid="account_sessions_record")

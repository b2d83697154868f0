"""Password reset emails, sent by a worker.

The reset page enqueues the same message whatever address it is given, and the worker finds the
accounts, so the page does the same work, in the same time, for an address with no account.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import caches


def password_reset_send(*, email: str, request_id: str = "") -> int:
    """Email a reset link to each active account with this address; how many were sent (none for an
    unknown one). A request (the outbox message) delivered twice is sent once."""
    done = caches["throttle"]
    if request_id and done.get(f"password-reset-sent:{request_id}"):
        return 0
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    sent = sum(1 for _ in form.get_users(form.cleaned_data["email"]))
    form.save(
        domain_override=urlsplit(settings.SITE_URL).netloc,
        subject_template_name="account/password_reset_subject.txt",
        email_template_name="account/password_reset_email.txt",
        extra_email_context={"site_url": settings.SITE_URL},
    )
    if request_id:
        done.set(f"password-reset-sent:{request_id}", True, timeout=settings.PASSWORD_RESET_TIMEOUT)
    return sent

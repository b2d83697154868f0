"""Password reset emails, sent by a worker.

The reset page enqueues the same message whatever address it is given, and the worker finds the
accounts, so the page does the same work, in the same time, for an address with no account.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm


def password_reset_send(*, email: str) -> int:
    """Email a reset link to each active account with this address; how many were sent (none for an unknown one)."""
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
    return sent

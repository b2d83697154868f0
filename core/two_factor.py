"""Two-factor authentication (django-otp): a code from an authenticator app (TOTP), or a recovery code.

Required (settings.TWO_FACTOR_REQUIRED) for registry administrators, for the administrators and
secretariat of a partnership whose security policy says so, and for anyone opening the admin. A
user who must and has not yet verified this session is sent to enrol (no device yet) or to enter a
code; a user who signed in through single sign-on whose provider asserted multi-factor
authentication (the `amr` claim) is not asked again.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.access import ROLE_PERMISSIONS, is_registry_administrator, roles_in_force, security_log
from core.editing import NHSFormMixin

SSO_MFA_SESSION_KEY = "sso_mfa"
RECOVERY_CODES = 10
# Pages a user who must verify can still open.
EXEMPT_NAMES = {"two-factor-enrol", "two-factor-verify", "two-factor-recovery-codes", "logout", "health"}


def sso_asserted_mfa(request) -> bool:
    return bool(request.session.get(SSO_MFA_SESSION_KEY))


def is_two_factor_verified(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", lambda: False)()) or sso_asserted_mfa(request)


def two_factor_required(user) -> bool:
    """Whether the account must use a second factor (one query, for staff of a partnership)."""
    if not settings.TWO_FACTOR_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    if is_registry_administrator(user):
        return True
    staff_roles = [role for role, permissions in ROLE_PERMISSIONS.items() if "manage_roles" in permissions]
    return (
        roles_in_force()
        .filter(user=user, role__in=staff_roles, partnership__security__staff_two_factor=True)
        .exists()
    )


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who must use a second factor, and has not this session, to enrol or
    to enter a code before anything else (the admin included: it always needs one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_verify(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor authentication is required."}, status=403)
            has_device = any(devices_for_user(request.user, confirmed=True))
            target = reverse("two-factor-verify" if has_device else "two-factor-enrol")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _must_verify(request) -> bool:
        if not settings.TWO_FACTOR_REQUIRED or not request.user.is_authenticated:
            return False
        path = request.path_info
        if path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"):
            return False
        from django.urls import Resolver404, resolve

        try:
            match = resolve(path)
        except Resolver404:
            return False
        if match.url_name in EXEMPT_NAMES or is_two_factor_verified(request):
            return False
        return path.startswith("/admin/") or two_factor_required(request.user)


# -- pages ---------------------------------------------------------------------------------------
class CodeForm(NHSFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def _make_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@login_required
def enrol(request):
    """Set up an authenticator app: scan the QR code (or type the key), enter a code it shows."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows now."
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _make_recovery_codes(user)
            otp_login(request, device)
            security_log.info("two_factor_enrolled user=%s", user.pk)
            return render(
                request,
                "account/recovery_codes.html",
                {"title": "Save your recovery codes", "codes": codes, "next": _next_url(request)},
            )
        form.add_error("code", "That code is not right. Enter the code your app shows now.")
    secret = _base32(device)
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#212b32")
    return render(
        request,
        "account/two_factor_enrol.html",
        {
            "title": "Set up two-factor authentication",
            "form": form,
            "secret": secret,
            "qr": qr,
            "next": _next_url(request),
            "required": two_factor_required(user) or request.GET.get("next", "").startswith("/admin/"),
        },
    )


def _base32(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@login_required
def verify(request):
    """Enter a code from the authenticator app, or a recovery code (each works once)."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].replace(" ", "")
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(code):
                otp_login(request, device)
                security_log.info(
                    "two_factor_verified user=%s device=%s", request.user.pk, type(device).__name__
                )
                return redirect(_next_url(request))
        security_log.warning("two_factor_failed user=%s", request.user.pk)
        form.add_error("code", "That code is not right.")
    if not any(devices_for_user(request.user, confirmed=True)):
        return redirect(f"{reverse('two-factor-enrol')}?{urlencode({'next': _next_url(request)})}")
    return render(
        request,
        "edit/form.html",
        {
            "title": "Enter your security code",
            "intro": "Open your authenticator app and enter the code it shows for the STP Governance Registry.",
            "form": form,
            "submit_label": "Continue",
        },
    )


@login_required
def recovery_codes(request):
    """New recovery codes (the old ones stop working); only once verified this session."""
    if request.method != "POST" or not is_two_factor_verified(request):
        return redirect("account")
    codes = _make_recovery_codes(request.user)
    return render(
        request,
        "account/recovery_codes.html",
        {"title": "Your new recovery codes", "codes": codes, "next": reverse("account")},
    )

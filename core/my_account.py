"""Your account: profile, roles, API tokens (read-only or read-write, never beyond your role) and
sessions, each on its own page under /account/."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user

from core.access import partnership_scope, tenant_model
from core.account_sessions import live_sessions, session_end
from core.editing import NHSFormMixin
from core.models import ApiToken, PartnershipRole
from core.tokens import api_token_issue, api_token_revoke
from core.two_factor import is_two_factor_verified, two_factor_required


class ProfileForm(NHSFormMixin, forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="Email address", max_length=254)


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"first_name": user.first_name, "last_name": user.last_name, "email": user.email},
    )
    if request.method == "POST" and form.is_valid():
        for name in ("first_name", "last_name", "email"):
            setattr(user, name, form.cleaned_data[name])
        user.save(update_fields=["first_name", "last_name", "email"])
        messages.success(request, "Your profile has been saved.")
        return HttpResponseRedirect(reverse("account"))
    return render(
        request,
        "account/profile.html",
        {
            "title": "Your account",
            "form": form,
            "has_two_factor": any(devices_for_user(user, confirmed=True)),
            "two_factor_verified": is_two_factor_verified(request),
            "two_factor_required": two_factor_required(user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def my_roles(request):
    records = list(
        PartnershipRole.objects.filter(user=request.user)
        .select_related("partnership", "granted_by", "ended_by")
        .order_by("-starts_at")[:200]
    )
    now = timezone.now()
    return render(
        request,
        "account/roles.html",
        {
            "title": "Your roles",
            "current": [r for r in records if r.in_force(now)],
            "past": [r for r in records if not r.in_force(now)],
        },
    )


class TokenForm(NHSFormMixin, forms.Form):
    name = forms.CharField(label="What it is for", max_length=200)
    partnership = forms.TypedChoiceField(label="Partnership", coerce=int, choices=())
    access = forms.ChoiceField(
        label="Access",
        choices=[
            ("read", "Read only"),
            ("write", "Read and write (only where your role may change records)"),
        ],
        widget=forms.RadioSelect,
        initial="read",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(30, "30 days"), (90, "90 days"), (365, "A year")],
        initial=90,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope = partnership_scope(user, "view")
        partnerships = tenant_model().objects.order_by("name")
        if scope is not None:
            partnerships = partnerships.filter(pk__in=scope)
        self.fields["partnership"].choices = list(partnerships.values_list("pk", "name"))

    def clean(self):
        data = super().clean()
        if data.get("access") == "write" and data.get("partnership"):
            writable = partnership_scope(self.user, "change")
            if writable is not None and data["partnership"] not in writable:
                self.add_error("access", "Your role on this partnership does not change records: read only.")
        return data


@login_required
@require_http_methods(["GET", "POST"])
def my_tokens(request):
    user = request.user
    form = TokenForm(request.POST or None, user=user)
    new_key = None
    if request.method == "POST" and request.POST.get("revoke", "").isdigit():
        token = ApiToken.objects.filter(pk=request.POST["revoke"], user=user).first()
        if token is not None:
            api_token_revoke(token=token, revoked_by=user)
            messages.success(request, f"Token “{token.name}” revoked.")
        return HttpResponseRedirect(reverse("account-tokens"))
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = api_token_issue(
                name=form.cleaned_data["name"],
                user=user,
                partnership=tenant_model().objects.get(pk=form.cleaned_data["partnership"]),
                read_only=form.cleaned_data["access"] != "write",
                expires_at=timezone.now() + datetime.timedelta(days=form.cleaned_data["days"]),
                created_by=user,
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            form = TokenForm(user=user)
    tokens = list(ApiToken.objects.filter(user=user).select_related("partnership")[:100])
    return render(
        request,
        "account/tokens.html",
        {
            "title": "Your API tokens",
            "form": form,
            "tokens": tokens,
            "new_key": new_key,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_sessions(request):
    if request.method == "POST":
        key = request.POST.get("end", "")
        if key == request.session.session_key:
            messages.error(request, "To end this session, sign out.")
        elif session_end(user=request.user, session_key=key):
            messages.success(request, "Session ended.")
        return HttpResponseRedirect(reverse("account-sessions"))
    return render(
        request,
        "account/sessions.html",
        {
            "title": "Your sessions",
            "sessions": live_sessions(request.user),
            "current_key": request.session.session_key,
        },
    )

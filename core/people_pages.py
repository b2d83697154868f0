"""People and roles of a partnership, run by its own administrators and secretariat: grant, change
and end roles, invite people by email (re-send, revoke, see expiry); and the page that accepts an
invitation. Every action goes through core.roles / core.invitations, which refuse a role above the
actor's own or outside their partnership."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.access import Role, partnership_scope, restrict, tenant_model
from core.editing import DateInput, NHSFormMixin
from core.invitations import (
    invitation_accept,
    invitation_create,
    invitation_from_key,
    invitation_resend,
    invitation_revoke,
)
from core.models import Invitation, PartnershipRole
from core.roles import grantable_roles, role_end_now, role_set, roles_of_partnership


class GrantForm(NHSFormMixin, forms.Form):
    email = forms.EmailField(label="Email address of their account", max_length=254)
    role = forms.ChoiceField(label="Role", choices=())
    until = forms.DateField(
        label="Until",
        required=False,
        widget=DateInput(),
        help_text="The last day they hold it. Empty: until someone ends it.",
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["role"].initial = Role.MEMBER


class InviteForm(GrantForm):
    email = forms.EmailField(label="Email address", max_length=254)
    name = forms.CharField(label="Full name", max_length=200, required=False)
    until = None

    field_order = ["email", "name", "role"]


class ChangeForm(NHSFormMixin, forms.Form):
    record = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label="New role", choices=(), required=False)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]


def _managed_partnership(request, pk: int):
    """The partnership, if the user may see it (else 404) and manage its roles (else 403)."""
    partnership = get_object_or_404(restrict(tenant_model().objects.all(), request.user), pk=pk)
    scope = partnership_scope(request.user, "manage_roles")
    if scope is not None and pk not in scope:
        raise PermissionDenied("You do not manage the roles of this partnership.")
    return partnership


@login_required
@require_http_methods(["GET", "POST"])
def partnership_roles(request, pk: int):
    partnership = _managed_partnership(request, pk)
    roles = grantable_roles(request.user, partnership.pk)
    grant = GrantForm(roles=roles, prefix="grant")
    invite = InviteForm(roles=roles, prefix="invite")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        handler = ACTIONS.get(action)
        if handler is None:
            status = 400
            messages.error(request, "Choose what to do.")
        else:
            done, grant, invite = handler(request, partnership, roles, grant, invite)
            if done:
                return HttpResponseRedirect(reverse("edit-partnership-roles", args=[partnership.pk]))
            status = 400
    return render(
        request,
        "people/partnership_roles.html",
        {
            "partnership": partnership,
            "title": f"People and roles: {partnership}",
            "roles": roles,
            "role_choices": [(role, Role(role).label) for role in roles],
            "records": list(roles_of_partnership(partnership.pk)),
            "invitations": list(
                Invitation.objects.filter(partnership=partnership).select_related("invited_by")[:100]
            ),
            "form": grant,
            "invite": invite,
            "me": request.user,
        },
        status=status,
    )


def _refusal(request, error) -> None:
    text = error.messages if isinstance(error, ValidationError) else [str(error)]
    for line in text:
        messages.error(request, line)


def _grant(request, partnership, roles, grant, invite):
    grant = GrantForm(request.POST, roles=roles, prefix="grant")
    if not grant.is_valid():
        return False, grant, invite
    user = get_user_model().objects.filter(email__iexact=grant.cleaned_data["email"], is_active=True).first()
    if user is None:
        grant.add_error("email", "No account has this email address: invite them instead.")
        return False, grant, invite
    until = grant.cleaned_data.get("until")
    ends_at = (
        timezone.make_aware(datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min))
        if until
        else None
    )
    try:
        role_set(
            user=user,
            partnership=partnership,
            role=grant.cleaned_data["role"],
            by=request.user,
            ends_at=ends_at,
        )
    except (PermissionDenied, ValidationError) as error:
        grant.add_error("role", error.messages[0] if isinstance(error, ValidationError) else str(error))
        return False, grant, invite
    messages.success(
        request,
        f"{user.get_full_name() or user.username} is now {Role(grant.cleaned_data['role']).label.lower()}.",
    )
    return True, grant, invite


def _record(request, partnership, roles):
    form = ChangeForm(request.POST, roles=roles)
    if not form.is_valid():
        return None, form
    record = (
        PartnershipRole.objects.select_related("user")
        .filter(pk=form.cleaned_data["record"], partnership=partnership)
        .first()
    )
    return record, form


def _change(request, partnership, roles, grant, invite):
    record, form = _record(request, partnership, roles)
    if record is None or not form.cleaned_data.get("role"):
        messages.error(request, "Choose a role to change to.")
        return False, grant, invite
    try:
        role_set(user=record.user, partnership=partnership, role=form.cleaned_data["role"], by=request.user)
    except (PermissionDenied, ValidationError) as error:
        _refusal(request, error)
        return False, grant, invite
    messages.success(request, f"{record.user.get_full_name() or record.user.username}: role changed.")
    return True, grant, invite


def _end(request, partnership, roles, grant, invite):
    record, _form = _record(request, partnership, roles)
    if record is None:
        messages.error(request, "Choose a role to end.")
        return False, grant, invite
    try:
        role_end_now(user=record.user, partnership=partnership, role=record.role, by=request.user)
    except (PermissionDenied, ValidationError) as error:
        _refusal(request, error)
        return False, grant, invite
    messages.success(request, f"{record.user.get_full_name() or record.user.username}: role ended.")
    return True, grant, invite


def _invite(request, partnership, roles, grant, invite):
    invite = InviteForm(request.POST, roles=roles, prefix="invite")
    if not invite.is_valid():
        return False, grant, invite
    try:
        invitation_create(
            email=invite.cleaned_data["email"],
            name=invite.cleaned_data["name"],
            partnership=partnership,
            role=invite.cleaned_data["role"],
            by=request.user,
        )
    except ValidationError as error:
        invite.apply_errors(error)
        return False, grant, invite
    except PermissionDenied as error:
        invite.add_error("role", str(error))
        return False, grant, invite
    messages.success(request, f"Invitation sent to {invite.cleaned_data['email']}.")
    return True, grant, invite


def _invitation_action(service, done_message):
    def handle(request, partnership, roles, grant, invite):
        invitation = Invitation.objects.filter(
            pk=request.POST.get("invitation") if str(request.POST.get("invitation", "")).isdigit() else None,
            partnership=partnership,
        ).first()
        if invitation is None:
            messages.error(request, "Choose an invitation.")
            return False, grant, invite
        try:
            service(invitation=invitation, by=request.user)
        except (PermissionDenied, ValidationError) as error:
            _refusal(request, error)
            return False, grant, invite
        messages.success(request, done_message.format(email=invitation.email))
        return True, grant, invite

    return handle


ACTIONS = {
    "grant": _grant,
    "change": _change,
    "end": _end,
    "invite": _invite,
    "resend": _invitation_action(invitation_resend, "Invitation sent again to {email}."),
    "revoke": _invitation_action(invitation_revoke, "Invitation to {email} revoked."),
}


# -- accepting an invitation (no sign-in needed: the link is the credential) ------------------------
class AcceptForm(NHSFormMixin, forms.Form):
    username = forms.CharField(label="Username", max_length=150, help_text="You sign in with it.")
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Enter the password again", widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("This username is taken: choose another.")
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same.")
        elif first:
            user = get_user_model()(username=data.get("username", ""), email=self.initial.get("email", ""))
            try:
                validate_password(first, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


@require_http_methods(["GET", "POST"])
def invitation_accept_page(request, key: str):
    invitation = invitation_from_key(key)
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return render(
            request,
            "account/message.html",
            {
                "title": "This invitation does not work",
                "message": "It has been used, revoked or replaced by a newer one, or it has expired. "
                "Ask the partnership's secretariat to send it again.",
                "link": (reverse("login"), "Sign in"),
            },
            status=200 if invitation is None else 410,
        )
    signed_in = request.user if request.user.is_authenticated else None
    request.session["pending_invitation"] = invitation.pk  # single sign-on may answer it (core.oidc)
    if signed_in and request.method == "POST" and request.POST.get("as_signed_in"):
        return _accept_as_signed_in(request, invitation, signed_in)
    form = AcceptForm(request.POST or None, initial={"username": invitation.email, "email": invitation.email})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except (PermissionDenied, ValidationError) as error:
            _refusal(request, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You have joined {invitation.partnership}.")
            # Next, a second factor: required for some roles, offered to everyone.
            return HttpResponseRedirect(f"{reverse('two-factor-enrol')}?next={reverse('home')}")
    return render(
        request,
        "people/invitation_accept.html",
        {
            "title": f"Join {invitation.partnership}",
            "invitation": invitation,
            "form": form,
            "sso": _sso_enabled(),
            "signed_in_matches": bool(signed_in and signed_in.email.lower() == invitation.email),
        },
        status=400 if form.errors else 200,
    )


def _accept_as_signed_in(request, invitation, user):
    """Someone signed in (through single sign-on, say) with the invited address takes the role."""
    if user.email.lower() != invitation.email:
        raise PermissionDenied("This invitation is for another email address.")
    try:
        invitation_accept(invitation=invitation, user=user)
    except (PermissionDenied, ValidationError) as error:
        _refusal(request, error)
        return HttpResponseRedirect(request.path)
    messages.success(request, f"You have joined {invitation.partnership}.")
    return HttpResponseRedirect(reverse("home"))


def _sso_enabled() -> bool:
    from django.conf import settings

    return settings.OIDC_ENABLED

"""Single sign-on with OpenID Connect (mozilla-django-oidc), e.g. Microsoft Entra ID for NHS.net.

Accounts are matched by verified email (an account is never taken over through an address the
provider does not vouch for); with OIDC_CREATE_USERS a first sign-in makes an account with no
role, linked to the registry's Person with that email. OIDC_GROUP_ROLES maps values of the group
claim to roles on partnerships ("<group>=<partnership slug>:<role>,..."), granted at sign-in.
A provider that asserts multi-factor authentication (`amr`) spares the user our own second factor.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LoginView
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from core import registry
from core.access import Role, security_log, tenant_model
from core.models import Invitation
from core.roles import role_set
from core.two_factor import SSO_MFA_SESSION_KEY


def group_roles(setting: str) -> dict[str, tuple[str, str]]:
    """OIDC_GROUP_ROLES parsed: group -> (partnership slug, role); malformed entries are skipped."""
    found = {}
    for entry in filter(None, (part.strip() for part in setting.split(","))):
        group, _, target = entry.partition("=")
        slug, _, role = target.partition(":")
        if group and slug and role in Role.values:
            found[group.strip()] = (slug.strip(), role)
    return found


def asserts_mfa(claims: dict) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(set(amr) & set(settings.OIDC_MFA_AMR_VALUES))


PENDING_INVITATION_SESSION_KEY = "pending_invitation"


class RegistryOIDCBackend(OIDCAuthenticationBackend):
    def get_settings(self, attr, *args):
        """As configured; but a first sign-in that answers an invitation to this very address makes
        its account even where OIDC_CREATE_USERS is off (the invitation page remembers it)."""
        if attr == "OIDC_CREATE_USER" and self._answers_invitation():
            return True
        return import_from_settings(attr, *args)

    def _answers_invitation(self) -> bool:
        request, claims = getattr(self, "request", None), getattr(self, "claims", None)
        if request is None or not claims or not claims.get("email"):
            return False
        pk = request.session.get(PENDING_INVITATION_SESSION_KEY)
        invitation = Invitation.objects.filter(pk=pk).first() if pk else None
        return (
            invitation is not None
            and invitation.status == Invitation.Status.PENDING
            and invitation.email == claims["email"].lower()
        )

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo endpoint's claims over the ID token's (which carry `amr`)."""
        self.claims = {**payload, **super().get_userinfo(access_token, id_token, payload)}
        return self.claims

    def verify_claims(self, claims):
        verified = claims.get("email_verified") is True or settings.OIDC_TRUST_UNVERIFIED_EMAIL
        if not verified:
            security_log.warning("sso_refused unverified email")
        return bool(claims.get("email")) and verified

    def filter_users_by_claims(self, claims):
        return get_user_model().objects.filter(email__iexact=claims.get("email", ""), is_active=True)

    def create_user(self, claims):
        email = claims["email"].lower()
        user = get_user_model()(
            username=email[:150],
            email=email,
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save()
        for link in registry.account_linkers:
            link(user)
        security_log.info("sso_account_created user=%s", user.pk)
        return user

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            claims = getattr(self, "claims", {})
            self._grant_mapped_roles(user, claims)
            self.request.session[SSO_MFA_SESSION_KEY] = asserts_mfa(claims)
            security_log.info("sso_signed_in user=%s mfa=%s", user.pk, asserts_mfa(claims))
        return user

    def _grant_mapped_roles(self, user, claims) -> None:
        mapping = group_roles(settings.OIDC_GROUP_ROLES)
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        targets = [mapping[group] for group in groups if group in mapping]
        if not targets:
            return
        partnerships = tenant_model().objects.in_bulk([slug for slug, _ in targets], field_name="slug")
        for slug, role in targets:
            if slug in partnerships:
                role_set(user=user, partnership=partnerships[slug], role=role)


def sso_start(request):
    if not settings.OIDC_ENABLED:
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationRequestView.as_view()(request)


def sso_callback(request):
    if not settings.OIDC_ENABLED:
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationCallbackView.as_view()(request)


class SignInView(LoginView):
    """Django's sign-in page, offering single sign-on when it is configured."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, sso_enabled=settings.OIDC_ENABLED, sso_provider=settings.OIDC_PROVIDER_NAME
        )

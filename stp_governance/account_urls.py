"""Accounts: your own pages, two-factor authentication, invitations, single sign-on, and a
partnership's people and roles (an editing page, in the editing pages' access matrix)."""

from django.urls import path

from composition import home
from core import my_account, oidc, people_pages, two_factor

urlpatterns = [
    path("account/", my_account.account, name="account"),
    path("account/roles/", my_account.my_roles, name="account-roles"),
    path("account/tokens/", my_account.my_tokens, name="account-tokens"),
    path("account/sessions/", my_account.my_sessions, name="account-sessions"),
    path("account/two-factor/", two_factor.enrol, name="two-factor-enrol"),
    path("account/two-factor/code/", two_factor.verify, name="two-factor-verify"),
    path("account/two-factor/recovery-codes/", two_factor.recovery_codes, name="two-factor-recovery-codes"),
    path("invitations/<str:key>/", people_pages.invitation_accept_page, name="invitation-accept"),
    path("sign-in/sso/", oidc.sso_start, name="sso-start"),
    path("sign-in/sso/callback/", oidc.sso_callback, name="sso-callback"),
    path("partnerships/<int:pk>/checks/", home.partnership_checks, name="partnership-checks"),
    path("edit/partnerships/<int:pk>/roles/", people_pages.partnership_roles, name="edit-partnership-roles"),
]

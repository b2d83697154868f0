"""Staff pages (server-rendered; htmx only enhances)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from bodies import page_urls as bodies_page_urls
from bodies import views as bodies_views
from composition import job_pages, pages
from core import account_pages, oidc
from decisions import views as decisions_views
from delegation import views as delegation_views
from risks import views as risks_views
from stp_governance import account_urls

urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in/", oidc.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account_pages.PasswordChangeView.as_view(), name="password-change"),
    path(
        "password/change/done/", account_pages.PasswordChangeDoneView.as_view(), name="password-change-done"
    ),
    path("password/reset/", account_pages.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", account_pages.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_pages.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        account_pages.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("partnerships/<int:pk>/", bodies_views.partnership_detail, name="partnership-detail"),
    path("organisations/<int:pk>/", pages.organisation_detail, name="organisation-detail"),
    path("bodies/<int:pk>/", pages.body_detail, name="body-detail"),
    path("who-can-approve/", delegation_views.who_can_approve, name="who-can-approve"),
    path("search/", pages.search, name="search"),
    path("exports/", job_pages.export_list, name="export-list"),
    path("exports/<int:pk>/", job_pages.export_detail, name="export-detail"),
    path("exports/<int:pk>/download/", job_pages.export_download, name="export-download"),
    path("notifications/", job_pages.notification_list, name="notification-list"),
    # Decisions, ratifications, risks (reading)
    path(
        "partnerships/<int:pk>/ratifications/",
        decisions_views.ratification_tracker,
        name="ratification-tracker",
    ),
    path("partnerships/<int:pk>/decisions/", decisions_views.decision_list, name="decision-list"),
    path("decisions/<int:pk>/", decisions_views.decision_page, name="decision-detail"),
    path("ratifications/<int:pk>/ratify/", decisions_views.ratify, name="ratify"),
    path("partnerships/<int:pk>/risks/", risks_views.partnership_risks, name="partnership-risks"),
    path("risk-registers/<int:pk>/", risks_views.register_risks, name="risk-register"),
    path("risks/<int:pk>/", risks_views.risk_detail, name="risk-detail"),
    # The meeting cycle (meetings/urls.py): meeting pages, papers, packs, minutes, actions, interests.
    path("", include("meetings.urls")),
]

# Editing (secretariat): every page under /edit/, named "edit-*" (tests/platform/test_edit_access.py checks
# each one against another partnership's records and read-only roles).
urlpatterns += [
    path("edit/partnerships/<int:pk>/bodies/new/", bodies_views.body_create, name="edit-body-create"),
    path("edit/bodies/<int:pk>/", bodies_views.body_edit, name="edit-body"),
    path(
        "edit/bodies/<int:pk>/terms-of-reference/new/",
        bodies_views.terms_of_reference_new_version,
        name="edit-terms-of-reference-new-version",
    ),
    path(
        "edit/terms-of-reference/<int:pk>/",
        bodies_views.terms_of_reference_edit,
        name="edit-terms-of-reference",
    ),
    path(
        "edit/terms-of-reference/<int:pk>/approve/",
        bodies_views.terms_of_reference_approve,
        name="edit-terms-of-reference-approve",
    ),
    path("edit/partnerships/<int:pk>/memberships/", bodies_views.memberships, name="edit-memberships"),
    path(
        "edit/partnerships/<int:pk>/memberships/new/",
        bodies_views.membership_create,
        name="edit-membership-create",
    ),
    path("edit/memberships/<int:pk>/", bodies_views.membership_edit, name="edit-membership"),
    path("edit/memberships/<int:pk>/end/", bodies_views.membership_end, name="edit-membership-end"),
    path("edit/bodies/<int:pk>/appointments/", bodies_views.appointments, name="edit-appointments"),
    path(
        "edit/bodies/<int:pk>/appointments/new/",
        bodies_views.appointment_create,
        name="edit-appointment-create",
    ),
    path("edit/appointments/<int:pk>/", bodies_views.appointment_edit, name="edit-appointment"),
    path("edit/appointments/<int:pk>/end/", bodies_views.appointment_end, name="edit-appointment-end"),
    path("edit/bodies/<int:pk>/meetings/", decisions_views.meetings, name="edit-meetings"),
    path("edit/bodies/<int:pk>/meetings/new/", decisions_views.meeting_create, name="edit-meeting-create"),
    path("edit/meetings/<int:pk>/", decisions_views.meeting_edit, name="edit-meeting"),
    path("edit/bodies/<int:pk>/decisions/new/", decisions_views.decision_create, name="edit-decision-create"),
    path("edit/decisions/<int:pk>/", decisions_views.decision_detail, name="edit-decision"),
    path("edit/ratifications/<int:pk>/", decisions_views.ratification_record, name="edit-ratification"),
    path("edit/partnerships/<int:pk>/risks/", risks_views.risks, name="edit-risks"),
    path("edit/partnerships/<int:pk>/risks/new/", risks_views.risk_create, name="edit-risk-create"),
    path("edit/risks/<int:pk>/", risks_views.risk_edit, name="edit-risk"),
    path("edit/risks/<int:pk>/review/", risks_views.risk_review, name="edit-risk-review"),
    path("edit/risks/<int:pk>/escalate/", risks_views.risk_escalate, name="edit-risk-escalate"),
    path("edit/partnerships/<int:pk>/people/", bodies_views.people, name="edit-people"),
    path("edit/partnerships/<int:pk>/public-site/", bodies_views.public_site, name="edit-public-site"),
    path("edit/partnerships/<int:pk>/people/new/", bodies_views.person_create, name="edit-person-create"),
    path("edit/people/<int:pk>/", bodies_views.person_edit, name="edit-person"),
    path("edit/decisions/<int:pk>/rescind/", decisions_views.decision_rescind, name="edit-decision-rescind"),
    path(
        "edit/partnerships/<int:pk>/risk-registers/",
        risks_views.risk_registers,
        name="edit-risk-registers",
    ),
    path(
        "edit/partnerships/<int:pk>/risk-registers/new/",
        risks_views.risk_register_create,
        name="edit-risk-register-create",
    ),
    path("edit/risk-registers/<int:pk>/", risks_views.risk_register_edit, name="edit-risk-register"),
    path(
        "edit/risk-escalations/<int:pk>/respond/",
        risks_views.risk_escalation_respond,
        name="edit-risk-escalation-respond",
    ),
    path(
        "edit/risk-escalations/<int:pk>/de-escalate/",
        risks_views.risk_escalation_de_escalate,
        name="edit-risk-escalation-de-escalate",
    ),
]

urlpatterns += account_urls.urlpatterns  # accounts, invitations, single sign-on, roles (issue 16)
# Issue 17: organisations, imports, pickers (bodies/page_urls.py).
urlpatterns += bodies_page_urls.urlpatterns

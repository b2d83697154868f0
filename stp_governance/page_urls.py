"""Staff pages (server-rendered; htmx only enhances)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from bodies import views as bodies_views
from decisions import views as decisions_views
from delegation import views as delegation_views
from risks import views as risks_views
from stp_governance import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("partnerships/<int:pk>/", bodies_views.partnership_detail, name="partnership-detail"),
    path("organisations/<int:pk>/", bodies_views.organisation_detail, name="organisation-detail"),
    path("bodies/<int:pk>/", pages.body_detail, name="body-detail"),
    path("who-can-approve/", delegation_views.who_can_approve, name="who-can-approve"),
    path("search/", pages.search, name="search"),
    # Decisions, ratifications, risks (reading)
    path(
        "partnerships/<int:pk>/ratifications/",
        decisions_views.ratification_tracker,
        name="ratification-tracker",
    ),
    path("partnerships/<int:pk>/decisions/", decisions_views.decision_list, name="decision-list"),
    path("decisions/<int:pk>/", decisions_views.decision_detail, name="decision-detail"),
    path("ratifications/<int:pk>/ratify/", decisions_views.ratify, name="ratify"),
    path("partnerships/<int:pk>/risks/", risks_views.partnership_risks, name="partnership-risks"),
    path("risk-registers/<int:pk>/", risks_views.register_risks, name="risk-register"),
    path("risks/<int:pk>/", risks_views.risk_detail, name="risk-detail"),
]

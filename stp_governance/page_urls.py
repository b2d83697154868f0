"""Staff pages (server-rendered; htmx only enhances)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from bodies import views as bodies_views
from delegation import views as delegation_views
from stp_governance import job_pages, pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("partnerships/<int:pk>/", bodies_views.partnership_detail, name="partnership-detail"),
    path("organisations/<int:pk>/", bodies_views.organisation_detail, name="organisation-detail"),
    path("bodies/<int:pk>/", pages.body_detail, name="body-detail"),
    path("who-can-approve/", delegation_views.who_can_approve, name="who-can-approve"),
    path("search/", pages.search, name="search"),
    path("exports/", job_pages.export_list, name="export-list"),
    path("exports/<int:pk>/", job_pages.export_detail, name="export-detail"),
    path("exports/<int:pk>/download/", job_pages.export_download, name="export-download"),
    path("notifications/", job_pages.notification_list, name="notification-list"),
]

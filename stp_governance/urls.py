from django.contrib import admin
from django.urls import include, path

from core import views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("stp_governance.api.urls")),
    path("", include("stp_governance.page_urls")),
]

# Without the database and for bodies too large: core/errors.py.
handler400 = "core.errors.bad_request"
handler500 = "core.errors.server_error"

admin.site.site_header = "STP Governance Registry"
admin.site.site_title = "STP Governance Registry"
admin.site.index_title = "Partnerships, organisations, bodies and their terms of reference"

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from composition.public_feeds import PublicSitemap, robots_txt
from composition.public_site import public_view
from core import views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("stp_governance.api.urls")),
    path("public/", include("stp_governance.public_urls")),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", public_view(sitemap), {"sitemaps": {"public": PublicSitemap}}, name="sitemap"),
    path("", include("stp_governance.page_urls")),
]

# Without the database and for bodies too large: core/errors.py.
handler400 = "core.errors.bad_request"
handler500 = "core.errors.server_error"

admin.site.site_header = "STP Governance Registry"
admin.site.site_title = "STP Governance Registry"
admin.site.index_title = "Partnerships, organisations, bodies and their terms of reference"

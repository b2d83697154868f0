"""/api/v1/: one router per app, merged; the OpenAPI schema and its docs (vendored assets)."""

from django.http import JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from bodies.api.urls import router as bodies_router
from composition.api import router as exports_router
from decisions.api.urls import router as decisions_router
from decisions.api.urls import urlpatterns as decisions_urls
from delegation.api.urls import router as delegation_router
from delegation.api.urls import urlpatterns as delegation_urls
from meetings.api.urls import router as meetings_router
from risks.api.urls import router as risks_router
from risks.api.urls import urlpatterns as risks_urls

APP_ROUTERS = [
    bodies_router,
    delegation_router,
    decisions_router,
    risks_router,
    meetings_router,
    exports_router,
]


class RegistryRouter(DefaultRouter):
    include_format_suffixes = False  # formats are chosen with ?format= or Accept, never "/1.json"


router = RegistryRouter()
for app_router in APP_ROUTERS:
    router.registry.extend(app_router.registry)


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other URL under the API (a malformed id, say) answers in JSON like the API, not an HTML page.

    No redirect to add a trailing slash either (it would turn a POST into a GET): the answer says so.
    """
    detail = "Not found."
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").func is not not_found:
                detail = f"Not found. API URLs end with a slash: {request.path}/"
        except Resolver404:
            pass
    return JsonResponse({"detail": detail}, status=404)


app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    *delegation_urls,
    *decisions_urls,
    *risks_urls,
    path("", include(router.urls)),
    re_path(r"^[\s\S]*\Z", not_found),
]

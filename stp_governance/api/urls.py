"""/api/v1/: one router per app, merged; the OpenAPI schema and its docs (vendored assets)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from bodies.api.urls import router as bodies_router

APP_ROUTERS = [bodies_router]


class RegistryRouter(DefaultRouter):
    pass


router = RegistryRouter()
for app_router in APP_ROUTERS:
    router.registry.extend(app_router.registry)

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]

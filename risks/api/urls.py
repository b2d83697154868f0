from django.urls import path
from rest_framework.routers import DefaultRouter

from risks.api import views

router = DefaultRouter()
router.register("scoring-matrices", views.ScoringMatrixViewSet)
router.register("risk-registers", views.RiskRegisterViewSet)
router.register("risks", views.RiskViewSet)
router.register("risk-actions", views.RiskActionViewSet)
router.register("risk-reviews", views.RiskReviewViewSet)
router.register("risk-escalations", views.RiskEscalationViewSet)

urlpatterns = [
    path(
        "partnerships/<int:pk>/risk-heat-map/",
        views.PartnershipRiskHeatMapView.as_view(),
        name="partnership-risk-heat-map",
    ),
    path(
        "partnerships/<int:pk>/top-risks/",
        views.PartnershipTopRisksView.as_view(),
        name="partnership-top-risks",
    ),
]

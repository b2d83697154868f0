from django.urls import path
from rest_framework.routers import DefaultRouter

from delegation.api import views

router = DefaultRouter()
router.register("matters", views.MatterViewSet)
router.register("reservations", views.ReservationViewSet)
router.register("delegations", views.DelegationViewSet)
router.register("approval-routes", views.ApprovalRouteViewSet)
router.register("approval-stages", views.ApprovalStageViewSet)
router.register("urgent-decision-rules", views.UrgentDecisionRuleViewSet)
router.register("scheme-notes", views.SchemeNoteViewSet)

urlpatterns = [
    path("partnerships/<int:pk>/authority/", views.AuthorityView.as_view(), name="partnership-authority"),
    path(
        "partnerships/<int:pk>/scheme-checks/",
        views.SchemeChecksView.as_view(),
        name="partnership-scheme-checks",
    ),
]

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from decisions.api import views

router = DefaultRouter()
router.register("meetings", views.MeetingViewSet)
router.register("attendances", views.AttendanceViewSet)
router.register("agenda-items", views.AgendaItemViewSet)
router.register("interests", views.InterestViewSet)
router.register("declarations", views.DeclarationViewSet)
router.register("decisions", views.DecisionViewSet)
router.register("ratifications", views.RatificationViewSet)
router.register("proposals", views.ProposalViewSet)

urlpatterns = [
    path(
        "partnerships/<int:pk>/ratification-tracker/",
        views.PartnershipRatificationTrackerView.as_view(),
        name="partnership-ratification-tracker",
    ),
    path(
        "organisations/<int:pk>/ratification-tracker/",
        views.OrganisationRatificationTrackerView.as_view(),
        name="organisation-ratification-tracker",
    ),
    path(
        "partnerships/<int:pk>/meetings.ics",
        views.PartnershipCalendarView.as_view(),
        name="partnership-calendar",
    ),
    path("bodies/<int:pk>/meetings.ics", views.BodyCalendarView.as_view(), name="body-calendar"),
    # A malformed id in a calendar URL (no trailing slash, so the API's catch-all never sees it): 404.
    re_path(r"^(?:bodies|partnerships)/[^/]+/meetings\.ics\Z", views.calendar_not_found),
]

from rest_framework.routers import DefaultRouter

from meetings.api import views

router = DefaultRouter()
router.register("papers", views.PaperViewSet)
router.register("agenda-packs", views.AgendaPackViewSet)
router.register("minutes", views.MinutesViewSet)
router.register("minute-entries", views.MinuteEntryViewSet)
router.register("actions", views.ActionViewSet)
router.register("forward-plan-entries", views.ForwardPlanEntryViewSet)
router.register("gifts", views.GiftViewSet)
router.register("declaration-rounds", views.DeclarationRoundViewSet)
router.register("declaration-returns", views.DeclarationReturnViewSet)

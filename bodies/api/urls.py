from rest_framework.routers import DefaultRouter

from bodies.api import views

router = DefaultRouter()
router.register("people", views.PersonViewSet)
router.register("partnerships", views.PartnershipViewSet)
router.register("partnership-stages", views.PartnershipStageViewSet)
router.register("organisations", views.OrganisationViewSet)
router.register("organisation-successions", views.OrganisationSuccessionViewSet)
router.register("organisation-names", views.OrganisationNameViewSet)
router.register("memberships", views.MembershipViewSet)
router.register("agreements", views.AgreementViewSet)
router.register("signatures", views.SignatureViewSet)
router.register("bodies", views.BodyViewSet)
router.register("body-relationships", views.BodyRelationshipViewSet)
router.register("terms-of-reference", views.TermsOfReferenceViewSet)
router.register("terms-of-reference-objectives", views.TermsOfReferenceObjectiveViewSet)
router.register("terms-of-reference-roles", views.TermsOfReferenceRoleViewSet)
router.register("appointments", views.AppointmentViewSet)

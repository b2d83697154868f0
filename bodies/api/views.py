"""One viewset per resource, each over its model's restricted queryset (see RegistryViewSet)."""

import datetime

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from bodies import models, services, successions
from bodies.api import filters, serializers
from core.access import is_registry_administrator
from core.api.viewsets import ReadOnlyRegistryViewSet, RegistryViewSet


class PersonViewSet(RegistryViewSet):
    queryset = models.Person.objects.all()
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    ordering = ("name", "id")


class PartnershipViewSet(RegistryViewSet):
    queryset = models.Partnership.objects.all()
    serializer_class = serializers.PartnershipSerializer
    filterset_class = filters.PartnershipFilterSet
    search_fields = ["name", "short_name"]
    ordering_fields = ["name", "footprint_number", "id"]
    ordering = ("name",)
    deletable = False

    def create_permitted(self) -> bool:
        return is_registry_administrator(self.request.user)


class PartnershipStageViewSet(RegistryViewSet):
    queryset = models.PartnershipStage.objects.all()
    serializer_class = serializers.PartnershipStageSerializer
    filterset_class = filters.PartnershipStageFilterSet
    ordering_fields = ["effective_from", "id"]
    ordering = ("partnership_id", "effective_from", "id")


class OrganisationViewSet(RegistryViewSet):
    queryset = models.Organisation.objects.all()
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilterSet
    search_fields = ["name", "ods_code"]
    ordering_fields = ["name", "kind", "id"]
    ordering = ("name", "id")

    @extend_schema(
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="As at this day (default today).")],
        responses=serializers.LineageSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def lineage(self, request, *args, **kwargs):
        """Predecessors and successors (dates, kinds, shares, ODS codes), former names, and the `successor`
        standing in the organisation's place on `on`."""
        organisation = self.get_object()
        raw = request.query_params.get("on", "")
        try:
            on = datetime.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise exceptions.ValidationError({"on": ["Give the date as YYYY-MM-DD."]}) from None
        found = successions.lineage(organisation, on)
        data = {
            "organisation": organisation,
            "on": found.on,
            "name_on": successions.name_as_at(organisation, found.on),
            "successor": found.successor,
            "successors": found.successors_in_force,
            "predecessors": found.predecessors,
            "successors_all": found.successors,
            "former_names": found.former_names,
        }
        return Response(serializers.LineageSerializer(data).data)


class OrganisationSuccessionViewSet(RegistryViewSet):
    queryset = models.OrganisationSuccession.objects.all()
    serializer_class = serializers.OrganisationSuccessionSerializer
    filterset_class = filters.OrganisationSuccessionFilterSet
    ordering_fields = ["effective_on", "id"]
    ordering = ("effective_on", "id")


class OrganisationNameViewSet(ReadOnlyRegistryViewSet):
    """Earlier names, read here; a rename is recorded by bodies.successions.record_rename."""

    queryset = models.OrganisationName.objects.all()
    serializer_class = serializers.OrganisationNameSerializer
    filterset_class = filters.OrganisationNameFilterSet
    search_fields = ["name"]
    ordering_fields = ["effective_from", "id"]
    ordering = ("organisation_id", "effective_from", "id")


class MembershipViewSet(RegistryViewSet):
    queryset = models.Membership.objects.all()
    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilterSet
    search_fields = ["organisation__name"]
    ordering_fields = ["effective_from", "standing", "id"]
    ordering = ("partnership_id", "organisation__name", "id")


class AgreementViewSet(RegistryViewSet):
    queryset = models.Agreement.objects.all()
    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementFilterSet
    search_fields = ["title"]
    ordering_fields = ["title", "effective_from", "id"]
    ordering = ("partnership_id", "title", "id")
    deletable = False  # agreements carry signatures, which are evidence


class SignatureViewSet(RegistryViewSet):
    queryset = models.Signature.objects.all()
    serializer_class = serializers.SignatureSerializer
    filterset_class = filters.SignatureFilterSet
    ordering_fields = ["signed_on", "id"]
    ordering = ("agreement_id", "organisation__name", "id")
    deletable = False  # evidence: record a withdrawal instead


class BodyViewSet(RegistryViewSet):
    queryset = models.Body.objects.all()
    serializer_class = serializers.BodySerializer
    filterset_class = filters.BodyFilterSet
    search_fields = ["name", "short_name"]
    ordering_fields = ["name", "kind", "id"]
    ordering = ("name", "id")


class BodyRelationshipViewSet(RegistryViewSet):
    queryset = models.BodyRelationship.objects.all()
    serializer_class = serializers.BodyRelationshipSerializer
    filterset_class = filters.BodyRelationshipFilterSet
    ordering_fields = ["kind", "id"]
    ordering = ("from_body_id", "kind", "id")


class TermsOfReferenceViewSet(RegistryViewSet):
    queryset = models.TermsOfReference.objects.all()
    prefetches = (Prefetch("roles", queryset=models.TermsOfReferenceRole.objects.order_by("position")),)
    serializer_class = serializers.TermsOfReferenceSerializer
    filterset_class = filters.TermsOfReferenceFilterSet
    search_fields = ["body__name", "purpose"]
    ordering_fields = ["version", "effective_from", "id"]
    ordering = ("body_id", "version")
    if_match_actions = (*RegistryViewSet.if_match_actions, "approve")

    def perform_create(self, serializer):
        # A new version is always a draft, numbered after the body's latest one.
        body = models.Body.objects.select_for_update().order_by().get(pk=serializer.validated_data["body"].pk)
        services.terms_of_reference_refuse_second_draft(body=body)
        serializer.validated_data["version"] = services.terms_of_reference_next_version_number(body=body)
        super().perform_create(serializer)

    def perform_destroy(self, instance):
        if instance.status != models.TermsOfReference.Status.DRAFT:
            raise exceptions.ValidationError(
                {
                    "status": [
                        "Approved and superseded versions are the record of what applied; only drafts can be deleted."
                    ]
                }
            )
        instance.delete()

    @extend_schema(
        request=serializers.TermsOfReferenceApproveSerializer,
        responses=serializers.TermsOfReferenceSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approve this draft; the version it replaces is superseded in the same transaction."""
        terms = self.get_object_for_write()
        form = serializers.TermsOfReferenceApproveSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        terms = services.terms_of_reference_approve(terms_of_reference=terms, **form.validated_data)
        self.recheck_scope(terms, "change")
        return self.written(terms, 200)

    @extend_schema(request=None, responses={201: serializers.TermsOfReferenceSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, *args, **kwargs):
        """Start a draft that copies this version, to revise it."""
        terms = self.get_object()
        draft = services.terms_of_reference_new_version(body=terms.body, based_on=terms)
        self.recheck_scope(draft, "add")
        return self.written(draft, 201)


class DraftPartViewSet(RegistryViewSet):
    """Objectives and roles of a terms of reference: written only while their version is a draft."""

    def perform_create(self, serializer):
        services.terms_of_reference_lock_draft(serializer.validated_data["terms_of_reference"])
        super().perform_create(serializer)

    def perform_update(self, serializer):
        services.terms_of_reference_lock_draft(serializer.instance.terms_of_reference)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        services.terms_of_reference_lock_draft(instance.terms_of_reference)
        super().perform_destroy(instance)


class TermsOfReferenceObjectiveViewSet(DraftPartViewSet):
    queryset = models.TermsOfReferenceObjective.objects.all()
    serializer_class = serializers.TermsOfReferenceObjectiveSerializer
    filterset_class = filters.TermsOfReferenceObjectiveFilterSet
    ordering_fields = ["position", "id"]
    ordering = ("terms_of_reference_id", "position")


class TermsOfReferenceRoleViewSet(DraftPartViewSet):
    queryset = models.TermsOfReferenceRole.objects.all()
    serializer_class = serializers.TermsOfReferenceRoleSerializer
    filterset_class = filters.TermsOfReferenceRoleFilterSet
    ordering_fields = ["position", "id"]
    ordering = ("terms_of_reference_id", "position")


class AppointmentViewSet(RegistryViewSet):
    queryset = models.Appointment.objects.all()
    serializer_class = serializers.AppointmentSerializer
    filterset_class = filters.AppointmentFilterSet
    search_fields = ["person__name", "title"]
    ordering_fields = ["role", "effective_from", "id"]
    ordering = ("body_id", "role", "id")

"""API representations of the registry. Writable fields are listed explicitly per serializer."""

from rest_framework import serializers

from bodies import models
from core.api.fastpath import values_from
from core.api.serializers import (
    PERIOD_FIELDS,
    READ_ONLY,
    SOURCE_FIELDS,
    BriefRelatedField,
    RegistrySerializer,
    related,
)


class PersonSerializer(RegistrySerializer):
    detail_view_name = "api:person-detail"
    brief_fields = ("id", "url", "display", "name")

    class Meta:
        model = models.Person
        fields = (*READ_ONLY, "name", "note", *SOURCE_FIELDS)


class PartnershipStageSerializer(RegistrySerializer):
    detail_view_name = "api:partnershipstage-detail"
    partnership = related("api:partnership-detail", models.Partnership)
    create_only_fields = ("partnership",)

    class Meta:
        model = models.PartnershipStage
        fields = (*READ_ONLY, "partnership", "stage", *PERIOD_FIELDS, *SOURCE_FIELDS)


class StageInlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.PartnershipStage
        fields = ("id", "stage", *PERIOD_FIELDS)
        read_only_fields = fields


class PartnershipSerializer(RegistrySerializer):
    detail_view_name = "api:partnership-detail"
    brief_fields = ("id", "url", "display", "name", "short_name", "slug")
    lead = related("api:person-detail", models.Person, required=False, allow_null=True)
    stages = StageInlineSerializer(many=True, read_only=True)

    class Meta:
        model = models.Partnership
        fields = (
            *READ_ONLY, "name", "short_name", "slug", "footprint_number", "region", "population", "budget_gbp",
            "lead", "lead_role", "description", "stages", *SOURCE_FIELDS,
        )  # fmt: skip


class OrganisationSerializer(RegistrySerializer):
    detail_view_name = "api:organisation-detail"
    brief_fields = ("id", "url", "display", "name", "kind", "ods_code")

    class Meta:
        model = models.Organisation
        fields = (
            *READ_ONLY, "name", "slug", "kind", "is_statutory", "ods_code", "other_names", "contact_email", "established_on",
            "dissolved_on", *SOURCE_FIELDS,
        )  # fmt: skip


class OrganisationSuccessionSerializer(RegistrySerializer):
    detail_view_name = "api:organisationsuccession-detail"
    predecessor = related("api:organisation-detail", models.Organisation)
    successor = related("api:organisation-detail", models.Organisation)

    class Meta:
        model = models.OrganisationSuccession
        fields = (
            *READ_ONLY, "predecessor", "successor", "effective_on", "kind", "share_percent", "note", *SOURCE_FIELDS,
        )  # fmt: skip


class OrganisationNameSerializer(RegistrySerializer):
    """A name an organisation was known by, and when (a rename keeps the organisation)."""

    detail_view_name = "api:organisationname-detail"
    organisation = related("api:organisation-detail", models.Organisation)

    class Meta:
        model = models.OrganisationName
        fields = (*READ_ONLY, "organisation", "name", *PERIOD_FIELDS, *SOURCE_FIELDS)


class LineageOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    ods_code = serializers.CharField(allow_null=True)
    dissolved_on = serializers.DateField(allow_null=True)


class LineageStepSerializer(serializers.Serializer):
    organisation = LineageOrganisationSerializer()
    kind = serializers.CharField()
    effective_on = serializers.DateField()
    share_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    depth = serializers.IntegerField(help_text="1: directly; 2: through one other organisation; …")
    source = serializers.CharField()


class FormerNameSerializer(serializers.Serializer):
    name = serializers.CharField()
    effective_from = serializers.DateField(allow_null=True)
    effective_to = serializers.DateField(allow_null=True)


class LineageSerializer(serializers.Serializer):
    """An organisation's predecessors and successors, its former names, and who stands in its place on `on`."""

    organisation = LineageOrganisationSerializer()
    on = serializers.DateField()
    name_on = serializers.CharField(help_text="The name the organisation went by on the day.")
    successor = LineageOrganisationSerializer(
        allow_null=True,
        help_text="The one organisation in its place on the day (itself if none; null after a split).",
    )
    successors = LineageOrganisationSerializer(
        many=True, help_text="Every organisation in its place on the day."
    )
    predecessors = LineageStepSerializer(many=True)
    successions = LineageStepSerializer(many=True, source="successors_all")
    former_names = FormerNameSerializer(many=True)


class MembershipSerializer(RegistrySerializer):
    detail_view_name = "api:membership-detail"
    brief_fields = ("id", "url", "display", "standing", "status")
    partnership = related("api:partnership-detail", models.Partnership)
    organisation = related("api:organisation-detail", models.Organisation)
    create_only_fields = ("partnership", "organisation")

    class Meta:
        model = models.Membership
        fields = (
            *READ_ONLY, "partnership", "organisation", "standing", "status", *PERIOD_FIELDS, "note", *SOURCE_FIELDS,
        )  # fmt: skip

    @values_from("organisation__name", "standing")
    def get_display(self, obj) -> str:
        return f"{obj.organisation.name} ({obj.get_standing_display()})"


class AgreementSerializer(RegistrySerializer):
    detail_view_name = "api:agreement-detail"
    brief_fields = ("id", "url", "display", "title", "status")
    partnership = related("api:partnership-detail", models.Partnership)
    create_only_fields = ("partnership",)

    class Meta:
        model = models.Agreement
        fields = (
            *READ_ONLY, "partnership", "slug", "kind", "title", "version", "status", "agreed_on", *PERIOD_FIELDS,
            "review_interval_months", "note", *SOURCE_FIELDS,
        )  # fmt: skip


class SignatureSerializer(RegistrySerializer):
    detail_view_name = "api:signature-detail"
    agreement = related("api:agreement-detail", models.Agreement)
    organisation = related("api:organisation-detail", models.Organisation)
    create_only_fields = ("agreement", "organisation")

    class Meta:
        model = models.Signature
        fields = (
            *READ_ONLY, "agreement", "organisation", "signatory_name", "signatory_title", "signed_on",
            "withdrawn_on", *SOURCE_FIELDS,
        )  # fmt: skip

    @values_from("organisation__name", "signatory_name")
    def get_display(self, obj) -> str:
        return f"{obj.organisation.name}: {obj.signatory_name or 'signatory not named'}"


class BodySerializer(RegistrySerializer):
    detail_view_name = "api:body-detail"
    brief_fields = ("id", "url", "display", "name", "short_name", "kind", "status")
    partnership = related("api:partnership-detail", models.Partnership, required=False, allow_null=True)
    organisation = related(
        "api:organisation-detail", model=models.Organisation, required=False, allow_null=True
    )
    create_only_fields = ("partnership",)

    class Meta:
        model = models.Body
        fields = (
            *READ_ONLY, "partnership", "organisation", "name", "short_name", "slug", "kind", "status",
            "holds_delegated_authority", "decisions_bind_partners", "description", *PERIOD_FIELDS, *SOURCE_FIELDS,
        )  # fmt: skip


class BodyRelationshipSerializer(RegistrySerializer):
    detail_view_name = "api:bodyrelationship-detail"
    from_body = related("api:body-detail", models.Body)
    to_body = related("api:body-detail", models.Body)
    create_only_fields = ("from_body",)

    class Meta:
        model = models.BodyRelationship
        fields = (*READ_ONLY, "from_body", "kind", "to_body", *PERIOD_FIELDS, "note", *SOURCE_FIELDS)


class ObjectiveInlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.TermsOfReferenceObjective
        fields = ("id", "position", "heading", "text")
        read_only_fields = fields


class RoleInlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.TermsOfReferenceRole
        fields = ("id", "position", "title", "category", "voting", "is_chair", "organisation_id", "note")
        read_only_fields = fields


class TermsOfReferenceSerializer(RegistrySerializer):
    detail_view_name = "api:termsofreference-detail"
    brief_fields = ("id", "url", "display", "version", "status")
    body = related("api:body-detail", models.Body)
    approved_by = BriefRelatedField(view_name="api:body-detail", read_only=True, allow_null=True)
    objectives = ObjectiveInlineSerializer(many=True, read_only=True)
    roles = RoleInlineSerializer(many=True, read_only=True)
    create_only_fields = ("body",)

    class Meta:
        model = models.TermsOfReference
        fields = (
            *READ_ONLY, "body", "version", "status", "approved_by", "approved_on", *PERIOD_FIELDS, "purpose",
            "objectives", "roles", "quorum_rule", "quorum_count", "decision_method", "meeting_frequency",
            "frequency_note", "duration_minutes_min", "duration_minutes_max", "review_interval_months",
            "next_review_due", *SOURCE_FIELDS,
        )  # fmt: skip
        # Status, approval and the period in force change only through the approve action.
        read_only_fields = ("version", "status", "approved_on", "effective_from", "effective_to")

    @values_from("body__name", "version", "status")
    def get_display(self, obj) -> str:
        return f"{obj.body.name} v{obj.version} ({obj.get_status_display().lower()})"


class TermsOfReferenceApproveSerializer(serializers.Serializer):
    approved_on = serializers.DateField()
    effective_from = serializers.DateField(required=False, allow_null=True)
    approved_by = BriefRelatedField(
        view_name="api:body-detail", queryset=models.Body.objects.all(), required=False, allow_null=True
    )


class TermsOfReferenceObjectiveSerializer(RegistrySerializer):
    detail_view_name = "api:termsofreferenceobjective-detail"
    terms_of_reference = related("api:termsofreference-detail", models.TermsOfReference)
    create_only_fields = ("terms_of_reference",)

    class Meta:
        model = models.TermsOfReferenceObjective
        fields = (*READ_ONLY, "terms_of_reference", "position", "heading", "text")
        select_related = ("terms_of_reference__body",)


class TermsOfReferenceRoleSerializer(RegistrySerializer):
    detail_view_name = "api:termsofreferencerole-detail"
    terms_of_reference = related("api:termsofreference-detail", models.TermsOfReference)
    organisation = related(
        "api:organisation-detail", model=models.Organisation, required=False, allow_null=True
    )
    create_only_fields = ("terms_of_reference",)

    class Meta:
        model = models.TermsOfReferenceRole
        fields = (
            *READ_ONLY, "terms_of_reference", "position", "title", "category", "voting", "is_chair", "organisation",
            "note",
        )  # fmt: skip
        select_related = ("terms_of_reference__body",)


class AppointmentSerializer(RegistrySerializer):
    detail_view_name = "api:appointment-detail"
    body = related("api:body-detail", models.Body)
    person = related("api:person-detail", models.Person)
    representing = related(
        "api:organisation-detail", model=models.Organisation, required=False, allow_null=True
    )
    deputy = related("api:person-detail", models.Person, required=False, allow_null=True)
    create_only_fields = ("body",)

    class Meta:
        model = models.Appointment
        fields = (
            *READ_ONLY, "body", "person", "role", "title", "representing", "voting", "deputy", *PERIOD_FIELDS,
            *SOURCE_FIELDS,
        )  # fmt: skip

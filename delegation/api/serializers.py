"""API representations of schemes of delegation and of the authority answer."""

from rest_framework import serializers

from bodies.models import Body, Partnership
from core.api.fastpath import values_from
from core.api.serializers import (
    PERIOD_FIELDS,
    READ_ONLY,
    SOURCE_FIELDS,
    BriefRelatedField,
    RegistrySerializer,
    related,
)
from delegation import models


class MatterSerializer(RegistrySerializer):
    detail_view_name = "api:matter-detail"
    brief_fields = ("id", "url", "display", "slug", "category")
    partnership = related("api:partnership-detail", Partnership)
    create_only_fields = ("partnership",)

    class Meta:
        model = models.Matter
        fields = (*READ_ONLY, "partnership", "slug", "name", "category", *SOURCE_FIELDS)


class ReservationSerializer(RegistrySerializer):
    detail_view_name = "api:reservation-detail"
    partnership = related("api:partnership-detail", Partnership)
    matter = related("api:matter-detail", models.Matter)
    reserved_to_body = related("api:body-detail", Body, required=False, allow_null=True)
    create_only_fields = ("partnership",)

    class Meta:
        model = models.Reservation
        fields = (
            *READ_ONLY, "partnership", "matter", "reserved_to", "reserved_to_body", "power", *PERIOD_FIELDS,
            *SOURCE_FIELDS,
        )  # fmt: skip

    @values_from("matter__name", "reserved_to")
    def get_display(self, obj) -> str:
        return f"{obj.matter.name} — reserved to {obj.get_reserved_to_display().lower()}"


class DelegationSerializer(RegistrySerializer):
    detail_view_name = "api:delegation-detail"
    brief_fields = ("id", "url", "display", "power")
    partnership = related("api:partnership-detail", Partnership)
    delegator = related("api:body-detail", Body, required=False, allow_null=True)
    delegate = related("api:body-detail", Body)
    matter = related("api:matter-detail", models.Matter)
    create_only_fields = ("partnership",)

    class Meta:
        model = models.Delegation
        fields = (
            *READ_ONLY, "partnership", "delegator", "delegate", "delegate_office", "matter", "power",
            "financial_limit_gbp", "conditions", "further_delegation_permitted", *PERIOD_FIELDS, *SOURCE_FIELDS,
        )  # fmt: skip


class ApprovalStageInlineSerializer(serializers.ModelSerializer):
    acting_bodies = BriefRelatedField(view_name="api:body-detail", many=True, read_only=True)

    class Meta:
        model = models.ApprovalStage
        fields = (
            "id", "position", "phase", "name", "acting_bodies", "jointly", "acting_organisations_note", "power",
            "preconditions",
        )  # fmt: skip
        read_only_fields = fields


class ApprovalRouteSerializer(RegistrySerializer):
    detail_view_name = "api:approvalroute-detail"
    partnership = related("api:partnership-detail", Partnership)
    stages = ApprovalStageInlineSerializer(many=True, read_only=True)
    create_only_fields = ("partnership",)

    class Meta:
        model = models.ApprovalRoute
        fields = (*READ_ONLY, "partnership", "category", "name", "stages", *SOURCE_FIELDS)


class ApprovalStageSerializer(RegistrySerializer):
    detail_view_name = "api:approvalstage-detail"
    route = related("api:approvalroute-detail", models.ApprovalRoute)
    acting_bodies = BriefRelatedField(
        view_name="api:body-detail", queryset=Body.objects.all(), many=True, required=False
    )
    create_only_fields = ("route",)

    class Meta:
        model = models.ApprovalStage
        fields = (
            *READ_ONLY, "route", "position", "phase", "name", "acting_bodies", "jointly", "acting_organisations_note",
            "power", "preconditions", *SOURCE_FIELDS,
        )  # fmt: skip

    def validate(self, attrs):
        acting = attrs.pop("acting_bodies", None)
        attrs = super().validate(attrs)
        if acting is not None:
            attrs["acting_bodies"] = acting
        return attrs


class AuthorityQuerySerializer(serializers.Serializer):
    """The question: a matter (id or slug), a proposal category, or both (one answer: the authority and
    the route still ahead); optionally an amount and a date."""

    matter = serializers.CharField(required=False, max_length=120)
    category = serializers.ChoiceField(choices=models.ApprovalRoute.Category.choices, required=False)
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=0, required=False)
    on = serializers.DateField(required=False)
    stage_reached = serializers.IntegerField(min_value=0, max_value=1000, required=False)

    def validate(self, attrs):
        if "matter" not in attrs and "category" not in attrs:
            raise serializers.ValidationError(
                {"matter": ["Ask about a matter, a proposal category, or both."]}
            )
        return attrs


class ChainLinkSerializer(serializers.Serializer):
    delegation_id = serializers.IntegerField()
    delegator = serializers.CharField()
    delegate = serializers.CharField()
    power = serializers.CharField()
    financial_limit_gbp = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True)
    conditions = serializers.CharField()
    further_delegation_permitted = serializers.BooleanField()
    source = serializers.CharField()


class AuthorityPathSerializer(serializers.Serializer):
    body_id = serializers.IntegerField()
    body = serializers.CharField()
    office = serializers.CharField()
    decider = serializers.CharField()
    power = serializers.CharField()
    chain = ChainLinkSerializer(many=True)
    tightest_limit_gbp = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True)
    rests_on = serializers.CharField()
    binds_partners = serializers.BooleanField()
    excluded_because = serializers.CharField()


class ReservationAnswerSerializer(serializers.Serializer):
    matter = serializers.CharField(source="matter.name")
    reserved_to = serializers.CharField()
    reserved_to_display = serializers.CharField(source="get_reserved_to_display")
    power = serializers.CharField()
    source = serializers.CharField(source="source_citation")


class RouteStageSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    phase = serializers.CharField()
    name = serializers.CharField()
    acting = serializers.ListField(child=serializers.CharField())
    jointly = serializers.BooleanField()
    power = serializers.CharField()
    preconditions = serializers.CharField()
    ahead = serializers.BooleanField()
    source = serializers.CharField()


class AuthorityAnswerSerializer(serializers.Serializer):
    partnership = serializers.IntegerField(source="partnership.pk")
    on = serializers.DateField()
    amount_gbp = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True)
    matter = serializers.SerializerMethodField()
    category = serializers.CharField(allow_null=True)
    paths = AuthorityPathSerializer(many=True)
    excluded = AuthorityPathSerializer(many=True)
    reservations = ReservationAnswerSerializer(many=True)
    route = RouteStageSerializer(many=True)
    ratification_required = serializers.BooleanField()
    ratifying_organisations = serializers.ListField(child=serializers.CharField())
    explanation = serializers.ListField(child=serializers.CharField())
    scheme_starts_on = serializers.DateField(
        allow_null=True,
        help_text="Set when `on` is before the partnership's recorded scheme of delegation: the day it starts "
        "(the date of its source document). No recorded scheme was in force on `on`.",
    )

    def get_matter(self, answer) -> dict | None:
        if answer.matter is None:
            return None
        return {"id": answer.matter.pk, "slug": answer.matter.slug, "name": answer.matter.name}


class DefectSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    delegation_id = serializers.IntegerField(allow_null=True)
    matter_id = serializers.IntegerField(allow_null=True)
    body_id = serializers.IntegerField(allow_null=True)


class UrgentDecisionRuleSerializer(RegistrySerializer):
    """How the partnership takes a decision that cannot wait (read on "who can approve?")."""

    detail_view_name = "api:urgentdecisionrule-detail"
    partnership = related("api:partnership-detail", Partnership)
    discussed_by = related("api:body-detail", Body, required=False, allow_null=True)
    taken_by = related("api:body-detail", Body, required=False, allow_null=True)

    class Meta:
        model = models.UrgentDecisionRule
        fields = (
            *READ_ONLY, "partnership", "need_determined_by", "discussed_by", "taken_by", "taken_by_office",
            "consulted", "council_decisions", "reported_to", "ratification_required", *SOURCE_FIELDS,
        )  # fmt: skip


class SchemeNoteSerializer(RegistrySerializer):
    """What the scheme's document says where no record holds it, with its source."""

    detail_view_name = "api:schemenote-detail"
    partnership = related("api:partnership-detail", Partnership)

    class Meta:
        model = models.SchemeNote
        fields = (*READ_ONLY, "partnership", "text", *SOURCE_FIELDS)

"""API representations of risk registers. Workflow inputs (record a review, escalate, respond,
de-escalate) are plain serializers whose validated data goes straight to the service."""

from rest_framework import serializers

from bodies.models import Body, Organisation, Partnership, Person
from core.api.fastpath import values_from
from core.api.serializers import (
    READ_ONLY,
    SOURCE_FIELDS,
    BriefRelatedField,
    RegistrySerializer,
    related,
)
from decisions.models import Meeting
from risks import models
from risks.queries import SCORE_CHOICES

SCORED = tuple(
    f"{kind}_{part}"
    for kind in ("inherent", "current", "target")
    for part in ("likelihood", "consequence", "score", "band")
)
MATRIX_SETTINGS = (
    "likelihood_scale", "consequence_scale", "likelihood_labels", "consequence_labels", "low_max", "moderate_max",
    "high_max", "tolerable_averse", "tolerable_minimal", "tolerable_cautious", "tolerable_open", "tolerable_eager",
)  # fmt: skip


class ScoringMatrixSerializer(RegistrySerializer):
    detail_view_name = "api:scoringmatrix-detail"
    brief_fields = ("id", "url", "display", "likelihood_scale", "consequence_scale")
    partnership = related("api:partnership-detail", Partnership)
    create_only_fields = ("partnership",)

    class Meta:
        model = models.ScoringMatrix
        fields = (*READ_ONLY, "partnership", *MATRIX_SETTINGS, "note", *SOURCE_FIELDS)

    @values_from("partnership__short_name", "partnership__name", "likelihood_scale", "consequence_scale")
    def get_display(self, obj) -> str:
        return f"{obj.partnership}: {obj}"


class RiskRegisterSerializer(RegistrySerializer):
    detail_view_name = "api:riskregister-detail"
    partnership = related("api:partnership-detail", Partnership)
    body = related("api:body-detail", Body, required=False, allow_null=True)
    organisation = related("api:organisation-detail", Organisation, required=False, allow_null=True)
    create_only_fields = ("partnership", "body", "organisation")

    class Meta:
        model = models.RiskRegister
        fields = (
            *READ_ONLY, "partnership", "body", "organisation", "review_interval_months", "note", *SOURCE_FIELDS,
        )  # fmt: skip


class EscalationInlineSerializer(serializers.ModelSerializer):
    to_body = BriefRelatedField(view_name="api:body-detail", read_only=True)

    class Meta:
        model = models.RiskEscalation
        fields = ("id", "to_body", "escalated_on", "response", "responded_on", "de_escalated_on")
        read_only_fields = fields


class RiskSerializer(RegistrySerializer):
    detail_view_name = "api:risk-detail"
    brief_fields = ("id", "url", "display", "reference", "current_score", "current_band", "status")
    partnership = BriefRelatedField(view_name="api:partnership-detail", read_only=True)
    register = related("api:riskregister-detail", models.RiskRegister)
    owner = related("api:person-detail", Person, required=False, allow_null=True)
    lead_organisation = related("api:organisation-detail", Organisation, required=False, allow_null=True)
    inherent_score = serializers.IntegerField(read_only=True)
    current_score = serializers.IntegerField(read_only=True)
    target_score = serializers.IntegerField(read_only=True)
    above_appetite = serializers.SerializerMethodField()
    escalations = EscalationInlineSerializer(many=True, read_only=True)
    create_only_fields = ("register",)

    class Meta:
        model = models.Risk
        fields = (
            *READ_ONLY, "partnership", "register", "reference", "title", "description", "cause", "effect",
            "category", "owner", "owner_title", "lead_organisation", *SCORED, "appetite", "tolerable_score",
            "above_appetite", "controls", "gaps_in_control", "assurances", "status", "identified_on", "closed_on",
            "last_reviewed_on", "next_review_due", "escalations", *SOURCE_FIELDS,
        )  # fmt: skip
        read_only_fields = (
            "inherent_band", "current_band", "target_band", "tolerable_score", "last_reviewed_on",
        )  # fmt: skip
        select_related = ("register__body", "register__organisation")

    @values_from("status", "current_likelihood", "current_consequence", "tolerable_score")
    def get_above_appetite(self, obj) -> bool:
        return obj.is_above_appetite


class RiskActionSerializer(RegistrySerializer):
    detail_view_name = "api:riskaction-detail"
    brief_fields = ("id", "url", "display", "status", "due_on")
    risk = related("api:risk-detail", models.Risk)
    owner = related("api:person-detail", Person, required=False, allow_null=True)
    create_only_fields = ("risk",)

    class Meta:
        model = models.RiskAction
        fields = (
            *READ_ONLY,
            "risk",
            "description",
            "owner",
            "owner_title",
            "due_on",
            "status",
            "completed_on",
        )


class RiskReviewSerializer(RegistrySerializer):
    """A review as recorded; only its meeting, reviewer and note may be corrected afterwards."""

    detail_view_name = "api:riskreview-detail"
    brief_fields = ("id", "url", "display", "reviewed_on", "current_score", "current_band")
    risk = BriefRelatedField(view_name="api:risk-detail", read_only=True)
    meeting = related("api:meeting-detail", Meeting, required=False, allow_null=True)
    reviewer = related("api:person-detail", Person, required=False, allow_null=True)
    current_score = serializers.IntegerField(read_only=True)
    target_score = serializers.IntegerField(read_only=True)

    class Meta:
        model = models.RiskReview
        fields = (
            *READ_ONLY, "risk", "reviewed_on", "meeting", "reviewer", "current_likelihood", "current_consequence",
            "current_score", "current_band", "target_likelihood", "target_consequence", "target_score",
            "target_band", "note",
        )  # fmt: skip
        read_only_fields = (
            "reviewed_on", "current_likelihood", "current_consequence", "current_band", "target_likelihood",
            "target_consequence", "target_band",
        )  # fmt: skip
        select_related = ("meeting__body",)  # a meeting's display names its body

    @values_from("risk__reference", "reviewed_on")
    def get_display(self, obj) -> str:
        return f"{obj.risk.reference} reviewed {obj.reviewed_on.isoformat()}"


class RiskReviewRecordSerializer(serializers.Serializer):
    """Record a review: scores left out are carried over unchanged from the risk."""

    risk = BriefRelatedField(view_name="api:risk-detail", queryset=models.Risk.objects.all())
    reviewed_on = serializers.DateField()
    meeting = BriefRelatedField(
        view_name="api:meeting-detail", queryset=Meeting.objects.all(), required=False, allow_null=True
    )
    reviewer = BriefRelatedField(
        view_name="api:person-detail", queryset=Person.objects.all(), required=False, allow_null=True
    )
    current_likelihood = serializers.IntegerField(required=False, min_value=0, max_value=100)
    current_consequence = serializers.IntegerField(required=False, min_value=0, max_value=100)
    target_likelihood = serializers.IntegerField(required=False, min_value=0, max_value=100)
    target_consequence = serializers.IntegerField(required=False, min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    next_review_due = serializers.DateField(required=False, allow_null=True)


class RiskEscalationSerializer(RegistrySerializer):
    """An escalation and its answer; only the reason (and source) may be corrected by PATCH."""

    detail_view_name = "api:riskescalation-detail"
    brief_fields = ("id", "url", "display", "escalated_on", "response")
    risk = BriefRelatedField(view_name="api:risk-detail", read_only=True)
    from_register = BriefRelatedField(view_name="api:riskregister-detail", read_only=True)
    to_body = BriefRelatedField(view_name="api:body-detail", read_only=True)

    class Meta:
        model = models.RiskEscalation
        fields = (
            *READ_ONLY, "risk", "from_register", "to_body", "escalated_on", "reason", "response", "responded_on",
            "response_note", "de_escalated_on", "de_escalation_note",
        )  # fmt: skip
        read_only_fields = (
            "escalated_on", "response", "responded_on", "response_note", "de_escalated_on", "de_escalation_note",
        )  # fmt: skip
        select_related = ("from_register__body", "from_register__organisation")

    @values_from("risk__reference", "to_body__name", "de_escalated_on", "response")
    def get_display(self, obj) -> str:
        return f"{obj.risk.reference} → {obj.to_body.name} ({obj.status})"


class RiskEscalateSerializer(serializers.Serializer):
    """Escalate a risk from where it is held to a body up the reporting lines."""

    risk = BriefRelatedField(view_name="api:risk-detail", queryset=models.Risk.objects.all())
    to_body = BriefRelatedField(view_name="api:body-detail", queryset=Body.objects.all())
    escalated_on = serializers.DateField()
    reason = serializers.CharField()


class RiskEscalationRespondSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=models.RiskEscalation.ANSWERS)
    responded_on = serializers.DateField()
    response_note = serializers.CharField(required=False, allow_blank=True, default="")


class RiskEscalationDeEscalateSerializer(serializers.Serializer):
    de_escalated_on = serializers.DateField()
    de_escalation_note = serializers.CharField(required=False, allow_blank=True, default="")


class HeatMapQuerySerializer(serializers.Serializer):
    scores = serializers.ChoiceField(choices=SCORE_CHOICES, default="current")


class HeatMapCellSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    consequence = serializers.IntegerField()
    score = serializers.IntegerField()
    band = serializers.CharField()
    count = serializers.IntegerField()


class HeatMapBandSerializer(serializers.Serializer):
    band = serializers.CharField()
    label = serializers.CharField()
    lowest = serializers.IntegerField()
    highest = serializers.IntegerField()


class HeatMapSerializer(serializers.Serializer):
    title = serializers.CharField()
    scores = serializers.CharField()
    likelihood_scale = serializers.IntegerField()
    consequence_scale = serializers.IntegerField()
    likelihood_labels = serializers.ListField(child=serializers.CharField())
    consequence_labels = serializers.ListField(child=serializers.CharField())
    bands = HeatMapBandSerializer(many=True)
    cells = HeatMapCellSerializer(many=True)
    total = serializers.IntegerField()


class TopRisksQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)

"""Risk registers over REST: one viewset per resource, workflows as POST actions calling the services,
heat maps as JSON or SVG, and a partnership's heat map and top risks."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from bodies.models import Partnership
from core.access import restrict
from core.api.renderers import ORJSONRenderer
from core.api.serializers import prefetches_for
from core.api.viewsets import RegistryViewSet, visible_or_404
from risks import models, queries, services
from risks.api import filters, serializers
from risks.api.renderers import SVGRenderer

HEAT_MAP_RESPONSES = {
    (200, "application/json"): serializers.HeatMapSerializer,
    (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR, description="The heat map drawn as SVG."),
}
HEAT_MAP_RENDERERS = [ORJSONRenderer, SVGRenderer]


class ScoringMatrixViewSet(RegistryViewSet):
    """A partnership's scoring matrix; saving it re-bands every risk of the partnership."""

    queryset = models.ScoringMatrix.objects.all()
    serializer_class = serializers.ScoringMatrixSerializer
    filterset_class = filters.ScoringMatrixFilterSet
    ordering_fields = ["id"]
    ordering = ("partnership_id",)
    deletable = False  # change it instead; the default applies only where none was ever set

    def perform_create(self, serializer):
        matrix = services.scoring_matrix_change(matrix=models.ScoringMatrix(**serializer.validated_data))
        serializer.instance = matrix
        self.recheck_scope(matrix, "add")

    def perform_update(self, serializer):
        matrix = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(matrix, name, value)
        services.scoring_matrix_change(matrix=matrix)
        self.recheck_scope(matrix, "change")


class RiskRegisterViewSet(RegistryViewSet):
    queryset = models.RiskRegister.objects.all()
    serializer_class = serializers.RiskRegisterSerializer
    filterset_class = filters.RiskRegisterFilterSet
    search_fields = ["body__name", "organisation__name"]
    ordering_fields = ["id"]
    ordering = ("partnership_id", "id")

    @extend_schema(parameters=[serializers.HeatMapQuerySerializer], responses=HEAT_MAP_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path="heat-map",
        renderer_classes=HEAT_MAP_RENDERERS,
        filter_backends=[],
        pagination_class=None,
    )
    def heat_map(self, request, *args, **kwargs):
        """Open risks per likelihood x consequence cell (`scores=current|target|inherent`), as JSON or SVG."""
        register = self.get_object()
        scores = _scores(request)
        return Response(serializers.HeatMapSerializer(queries.register_heat_map(register, scores)).data)


class RiskViewSet(RegistryViewSet):
    queryset = models.Risk.objects.all()
    prefetches = (
        Prefetch("escalations", queryset=models.RiskEscalation.objects.order_by("escalated_on", "id")),
    )
    serializer_class = serializers.RiskSerializer
    filterset_class = filters.RiskFilterSet
    search_fields = ["reference", "title", "description", "cause", "effect"]
    ordering_fields = [
        "reference", "current_score", "inherent_score", "target_score", "next_review_due", "identified_on", "id",
    ]  # fmt: skip
    ordering = ("partnership_id", "reference")


class RiskActionViewSet(RegistryViewSet):
    queryset = models.RiskAction.objects.all()
    serializer_class = serializers.RiskActionSerializer
    filterset_class = filters.RiskActionFilterSet
    search_fields = ["description"]
    ordering_fields = ["due_on", "id"]
    ordering = ("risk_id", "id")


class RiskReviewViewSet(RegistryViewSet):
    """Reviews are the record of the scores over time: recorded through the service, never deleted."""

    queryset = models.RiskReview.objects.all()
    serializer_class = serializers.RiskReviewSerializer
    filterset_class = filters.RiskReviewFilterSet
    ordering_fields = ["reviewed_on", "id"]
    ordering = ("reviewed_on", "id")
    deletable = False

    @extend_schema(request=serializers.RiskReviewRecordSerializer, responses=serializers.RiskReviewSerializer)
    def create(self, request, *args, **kwargs):
        """Record a review; the latest review sets the risk's current and target scores and its next review."""
        if not self.create_permitted():
            raise exceptions.PermissionDenied("You may not add records.")
        form = serializers.RiskReviewRecordSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        review = services.risk_review_record(**form.validated_data)
        self.recheck_scope(review, "add")
        return self.written(review, 201)


class RiskEscalationViewSet(RegistryViewSet):
    """Escalations up the reporting lines and their answers; evidence, never deleted."""

    queryset = models.RiskEscalation.objects.all()
    serializer_class = serializers.RiskEscalationSerializer
    filterset_class = filters.RiskEscalationFilterSet
    ordering_fields = ["escalated_on", "responded_on", "id"]
    ordering = ("escalated_on", "id")
    deletable = False
    if_match_actions = (*RegistryViewSet.if_match_actions, "respond", "de_escalate")

    @extend_schema(request=serializers.RiskEscalateSerializer, responses=serializers.RiskEscalationSerializer)
    def create(self, request, *args, **kwargs):
        """Escalate a risk to a body its holder escalates risks to (or, failing that, reports to)."""
        if not self.create_permitted():
            raise exceptions.PermissionDenied("You may not add records.")
        form = serializers.RiskEscalateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        escalation = services.risk_escalate(**form.validated_data)
        self.recheck_scope(escalation, "add")
        return self.written(escalation, 201)

    @extend_schema(
        request=serializers.RiskEscalationRespondSerializer, responses=serializers.RiskEscalationSerializer
    )
    @action(detail=True, methods=["post"])
    def respond(self, request, *args, **kwargs):
        """The receiving body's answer: accepted, or returned with advice."""
        escalation = self.get_object_for_write()
        form = serializers.RiskEscalationRespondSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        escalation = services.risk_escalation_respond(escalation=escalation, **form.validated_data)
        self.recheck_scope(escalation, "change")
        return self.written(escalation, 200)

    @extend_schema(
        request=serializers.RiskEscalationDeEscalateSerializer, responses=serializers.RiskEscalationSerializer
    )
    @action(detail=True, methods=["post"], url_path="de-escalate")
    def de_escalate(self, request, *args, **kwargs):
        """Hand an accepted risk back to the register it came from."""
        escalation = self.get_object_for_write()
        form = serializers.RiskEscalationDeEscalateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        escalation = services.risk_escalation_de_escalate(escalation=escalation, **form.validated_data)
        self.recheck_scope(escalation, "change")
        return self.written(escalation, 200)


def _scores(request) -> str:
    query = serializers.HeatMapQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["scores"]


class PartnershipQuestionView(APIView):
    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            # An unknown ?format= is bad input, as on every viewset (RegistryViewSet).
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise exceptions.ValidationError({"format": [f"Choose one of: {formats}."]}) from None


class PartnershipRiskHeatMapView(PartnershipQuestionView):
    """Open risks of every register of the partnership, per likelihood x consequence cell, as JSON or SVG."""

    renderer_classes = HEAT_MAP_RENDERERS

    @extend_schema(
        parameters=[serializers.HeatMapQuerySerializer],
        responses=HEAT_MAP_RESPONSES,
        operation_id="partnerships_risk_heat_map",
    )
    def get(self, request, pk):
        partnership = visible_or_404(Partnership, request, pk)
        heat_map = queries.partnership_heat_map(partnership, _scores(request))
        return Response(serializers.HeatMapSerializer(heat_map).data)


class PartnershipTopRisksView(PartnershipQuestionView):
    """The partnership's highest-scoring open risks (current score, then inherent), wherever held."""

    @extend_schema(
        parameters=[serializers.TopRisksQuerySerializer],
        responses=serializers.RiskSerializer(many=True),
        operation_id="partnerships_top_risks",
    )
    def get(self, request, pk):
        partnership = visible_or_404(Partnership, request, pk)
        query = serializers.TopRisksQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        select, prefetch = prefetches_for(serializers.RiskSerializer)
        visible = restrict(models.Risk.objects.all(), request.user, "view")
        top = queries.top_risks(
            partnership,
            query.validated_data["limit"],
            risks=visible.select_related(*select).prefetch_related(*prefetch),
        )
        return Response(serializers.RiskSerializer(top, many=True, context={"request": request}).data)

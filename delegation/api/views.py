"""Schemes of delegation over REST, and the question "who can decide this, and why?"."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from bodies.models import Partnership
from core.api.viewsets import ReadOnlyRegistryViewSet, RegistryViewSet, visible_or_404
from delegation import models
from delegation.api import filters, serializers
from delegation.checks import scheme_defects
from delegation.queries import resolve_authority


class MatterViewSet(RegistryViewSet):
    queryset = models.Matter.objects.all()
    serializer_class = serializers.MatterSerializer
    filterset_class = filters.MatterFilterSet
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "category", "id"]
    ordering = ("partnership_id", "name", "id")


class ReservationViewSet(RegistryViewSet):
    queryset = models.Reservation.objects.all()
    serializer_class = serializers.ReservationSerializer
    filterset_class = filters.ReservationFilterSet
    ordering_fields = ["id"]
    ordering = ("partnership_id", "matter_id", "id")


class DelegationViewSet(RegistryViewSet):
    queryset = models.Delegation.objects.all()
    serializer_class = serializers.DelegationSerializer
    filterset_class = filters.DelegationFilterSet
    search_fields = ["matter__name", "conditions"]
    ordering_fields = ["power", "financial_limit_gbp", "id"]
    ordering = ("partnership_id", "delegate_id", "matter_id", "id")


class ApprovalRouteViewSet(RegistryViewSet):
    queryset = models.ApprovalRoute.objects.all()
    serializer_class = serializers.ApprovalRouteSerializer
    filterset_class = filters.ApprovalRouteFilterSet
    ordering_fields = ["category", "id"]
    ordering = ("partnership_id", "category")


class ApprovalStageViewSet(RegistryViewSet):
    queryset = models.ApprovalStage.objects.all()
    serializer_class = serializers.ApprovalStageSerializer
    filterset_class = filters.ApprovalStageFilterSet
    ordering_fields = ["position", "id"]
    ordering = ("route_id", "position")


class UrgentDecisionRuleViewSet(ReadOnlyRegistryViewSet):
    """Read over the API; kept in the admin (from the framework's words)."""

    queryset = models.UrgentDecisionRule.objects.all()
    serializer_class = serializers.UrgentDecisionRuleSerializer
    filterset_class = filters.UrgentDecisionRuleFilterSet
    ordering_fields = ["id"]
    ordering = ("partnership_id",)


class SchemeNoteViewSet(ReadOnlyRegistryViewSet):
    queryset = models.SchemeNote.objects.all()
    serializer_class = serializers.SchemeNoteSerializer
    filterset_class = filters.SchemeNoteFilterSet
    search_fields = ["text"]
    ordering_fields = ["id"]
    ordering = ("partnership_id", "id")


class AuthorityView(APIView):
    """Which body can decide this, with the chain of delegation, limits, reservations and ratifications."""

    @extend_schema(
        parameters=[serializers.AuthorityQuerySerializer],
        responses=serializers.AuthorityAnswerSerializer,
        operation_id="partnerships_authority",
    )
    def get(self, request, pk):
        partnership = visible_or_404(Partnership, request, pk)
        question = serializers.AuthorityQuerySerializer(data=request.query_params)
        question.is_valid(raise_exception=True)
        data = question.validated_data
        matter = None
        if "matter" in data:
            matters = models.Matter.objects.filter(partnership=partnership)
            raw = data["matter"]
            matter = (
                matters.filter(pk=int(raw)) if raw.isdigit() and len(raw) < 19 else matters.filter(slug=raw)
            ).first()
            if matter is None:
                raise exceptions.ValidationError({"matter": [f"{partnership} has no matter “{raw}”."]})
        answer = resolve_authority(
            partnership=partnership,
            matter=matter,
            category=data.get("category"),
            amount_gbp=data.get("amount"),
            on=data.get("on"),
            stage_reached=data.get("stage_reached"),
        )
        return Response(serializers.AuthorityAnswerSerializer(answer).data)


class SchemeChecksView(APIView):
    """The defects in the partnership's scheme of delegation, as it stands on `on` (default today)."""

    @extend_schema(
        parameters=[OpenApiParameter("on", str, description="YYYY-MM-DD")],
        responses=serializers.DefectSerializer(many=True),
        operation_id="partnerships_scheme_checks",
    )
    def get(self, request, pk):
        partnership = visible_or_404(Partnership, request, pk)
        on = None
        if "on" in request.query_params:
            try:
                on = serializers.serializers.DateField().run_validation(request.query_params["on"])
            except exceptions.ValidationError as error:
                raise exceptions.ValidationError({"on": error.detail}) from None
        return Response(serializers.DefectSerializer(scheme_defects(partnership, on), many=True).data)

"""Meetings, decisions, ratifications, proposals and interests over REST.

Writes that are workflows go through `decisions.services`: recording a decision (POST
/decisions/) always resolves its authority; ratifying, rescinding, reporting an urgent decision
and advancing a proposal are POST actions that need the record's ETag in If-Match.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Prefetch, ProtectedError
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from bodies.models import Body, Organisation, Partnership
from core import access
from core.api.exceptions import Conflict
from core.api.renderers import ORJSONRenderer
from core.api.viewsets import RegistryViewSet, visible_or_404
from core.effective_dating import today
from decisions import models, queries, services
from decisions.api import filters, serializers
from decisions.calendars import meetings_calendar


class ReferencedViewSet(RegistryViewSet):
    """A RegistryViewSet whose records others rest on: a refused delete is a conflict (409)."""

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError:
            # An integrity conflict (409), like every other refused delete of a referenced record.
            raise Conflict(
                "Decisions, declarations or risk reviews rest on this record, so it cannot be deleted."
            ) from None


class MeetingViewSet(ReferencedViewSet):
    queryset = models.Meeting.objects.all()
    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilterSet
    search_fields = ["title", "place", "body__name"]
    ordering_fields = ["starts_at", "id"]
    ordering = ("body_id", "starts_at", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "agenda_item",
                {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                description="Quorum for this item.",
            )
        ],
        responses=serializers.QuorumSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def quorum(self, request, *args, **kwargs):
        """Quorum from the terms of reference in force and the attendance, after excluding conflicted members."""
        meeting = self.get_object()
        agenda_item = None
        if request.query_params.get("agenda_item"):
            raw = request.query_params["agenda_item"]
            items = access.restrict(meeting.agenda_items.all(), request.user)
            if not (raw.isdigit() and len(raw) < 19):
                raise exceptions.ValidationError(
                    {"agenda_item": ["Give the id of an item (a whole number)."]}
                )
            agenda_item = items.filter(pk=int(raw)).first()
            if agenda_item is None:  # like any record the user cannot see: not found
                raise exceptions.NotFound("No such item on this meeting's agenda.")
        return Response(serializers.QuorumSerializer(queries.meeting_quorum(meeting, agenda_item)).data)

    @extend_schema(
        request=serializers.MeetingCyclePlanSerializer, responses=serializers.MeetingSerializer(many=True)
    )
    @action(detail=False, methods=["post"], url_path="plan-cycle", filter_backends=[], pagination_class=None)
    def plan_cycle(self, request, *args, **kwargs):
        """Plan a body's cycle of business: scheduled meetings at its terms of reference's frequency."""
        form = serializers.MeetingCyclePlanSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        if not access.can(request.user, "add", form.validated_data["body"]):
            raise exceptions.PermissionDenied("You may not add meetings of this body.")
        created = services.meeting_cycle_plan(**form.validated_data)
        return Response(self.get_serializer(created, many=True).data, status=201)


class AttendanceViewSet(ReferencedViewSet):
    queryset = models.Attendance.objects.all()
    serializer_class = serializers.AttendanceSerializer
    filterset_class = filters.AttendanceFilterSet
    ordering_fields = ["id"]
    ordering = ("meeting_id", "person__name", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.attendance_record(
            meeting=data["meeting"],
            person=data["person"],
            status=data.get("status", models.Attendance.Status.PRESENT),
            deputy=data.get("deputy"),
            voting=data.get("voting"),
            note=data.get("note", ""),
        )
        self.recheck_scope(serializer.instance, "add")

    def perform_update(self, serializer):
        attendance, data = serializer.instance, serializer.validated_data
        serializer.instance = services.attendance_record(
            meeting=attendance.meeting,
            person=attendance.person,
            status=data.get("status", attendance.status),
            deputy=data.get("deputy", attendance.deputy),
            voting=data.get("voting", attendance.voting),
            note=data.get("note", attendance.note),
        )
        self.recheck_scope(serializer.instance, "change")

    def perform_destroy(self, instance):
        if instance.meeting.decisions.standing().exists():
            raise exceptions.ValidationError(
                {
                    "non_field_errors": [
                        "Decisions rest on this meeting's attendance; correct the status instead."
                    ]
                }
            )
        instance.delete()


class AgendaItemViewSet(ReferencedViewSet):
    queryset = models.AgendaItem.objects.all()
    serializer_class = serializers.AgendaItemSerializer
    filterset_class = filters.AgendaItemFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["position", "id"]
    ordering = ("meeting_id", "position", "id")


class InterestViewSet(ReferencedViewSet):
    queryset = models.Interest.objects.all()
    serializer_class = serializers.InterestSerializer
    filterset_class = filters.InterestFilterSet
    search_fields = ["person__name", "description", "organisation_name"]
    ordering_fields = ["declared_on", "effective_from", "id"]
    ordering = ("partnership_id", "person__name", "id")

    # Members declare their own interests; the secretariat keeps the whole register (decisions.queries.interests_writable).
    self_service_actions = ("create", "update", "partial_update")

    def get_action_scope(self) -> str:
        return "view" if self.action in self.self_service_actions else super().get_action_scope()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in self.self_service_actions:
            queryset = queries.interests_writable(queryset, self.request.user)
        return queryset

    def create_permitted(self) -> bool:
        return queries.may_declare_interests(self.request.user)

    def recheck_scope(self, instance, scope: str) -> None:
        if scope == "delete" or self.action not in self.self_service_actions:
            return super().recheck_scope(instance, scope)
        if not queries.interests_writable(
            models.Interest.objects.filter(pk=instance.pk), self.request.user
        ).exists():
            transaction.set_rollback(True)
            raise exceptions.ValidationError(
                {
                    "person": [
                        "You may declare your own interests only, in partnerships where you are a member."
                    ]
                }
            )


class DeclarationViewSet(ReferencedViewSet):
    queryset = models.Declaration.objects.all()
    serializer_class = serializers.DeclarationSerializer
    filterset_class = filters.DeclarationFilterSet
    search_fields = ["person__name", "nature"]
    ordering_fields = ["id"]
    ordering = ("meeting_id", "id")
    deletable = False  # evidence: rescind with the reason instead
    if_match_actions = (*RegistryViewSet.if_match_actions, "rescind")

    def perform_create(self, serializer):
        serializer.instance = services.declaration_record(**serializer.validated_data)
        self.recheck_scope(serializer.instance, "add")

    @extend_schema(request=serializers.RescindSerializer, responses=serializers.DeclarationSerializer)
    @action(detail=True, methods=["post"])
    def rescind(self, request, *args, **kwargs):
        """Mark a mistaken declaration rescinded, with the reason (it stays on the record)."""
        declaration = self.get_object_for_write()
        form = serializers.RescindSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        declaration = services.declaration_rescind(declaration=declaration, **form.validated_data)
        self.recheck_scope(declaration, "change")
        return self.written(declaration, 200)


class DecisionViewSet(ReferencedViewSet):
    queryset = models.Decision.objects.all()
    prefetches = (
        Prefetch(
            "meeting__declarations",
            queryset=models.Declaration.objects.select_related("person", "managed_by").order_by("id"),
        ),
    )
    serializer_class = serializers.DecisionSerializer
    filterset_class = filters.DecisionFilterSet
    search_fields = ["resolution", "minute_reference", "matter__name"]
    ordering_fields = ["decided_on", "id"]
    ordering = ("body_id", "-decided_on", "-id")
    deletable = False  # evidence: rescind with the reason instead
    if_match_actions = (*RegistryViewSet.if_match_actions, "rescind", "report")

    @extend_schema(
        request=serializers.DecisionRecordSerializer, responses={201: serializers.DecisionSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Record a decision. Its authority is resolved from the scheme of delegation: without authority it
        is refused with the reason (or, with `recorded_as: recommendation`, recorded as a recommendation to
        the body that holds it). Ratifications are created when the body's decisions do not bind the partners."""
        if not self.create_permitted():
            raise exceptions.PermissionDenied("You may not add records.")
        form = serializers.DecisionRecordSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        decision = services.decision_record(**services.decision_input(form.validated_data))
        self.recheck_scope(decision, "add")
        return self.written(decision, 201)

    @extend_schema(request=serializers.DecisionRescindSerializer, responses=serializers.DecisionSerializer)
    @action(detail=True, methods=["post"])
    def rescind(self, request, *args, **kwargs):
        """Mark the decision rescinded (or corrected by another), with the reason; it is never deleted."""
        decision = self.get_object_for_write()
        form = serializers.DecisionRescindSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        decision = services.decision_rescind(decision=decision, **form.validated_data)
        self.recheck_scope(decision, "change")
        return self.written(decision, 200)

    @extend_schema(request=serializers.UrgentReportSerializer, responses=serializers.DecisionSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, *args, **kwargs):
        """Record that this urgent decision was reported to a meeting of its body, for ratification."""
        decision = self.get_object_for_write()
        form = serializers.UrgentReportSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        decision = services.urgent_decision_report(decision=decision, **form.validated_data)
        self.recheck_scope(decision, "change")
        return self.written(decision, 200)

    @extend_schema(
        parameters=[
            OpenApiParameter("body_id", OpenApiTypes.INT),
            OpenApiParameter("partnership_id", OpenApiTypes.INT),
            OpenApiParameter("overdue", OpenApiTypes.BOOL),
        ],
        responses=serializers.UrgentDecisionDueSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="urgent-due", filter_backends=[])
    def urgent_due(self, request, *args, **kwargs):
        """Urgent decisions still to be reported, each with the meeting it is due at; overdue ones first."""
        visible = access.restrict(models.Decision.objects.select_related("body"), request.user)
        self.applied_ordering = ("-overdue", "due_at_starts_at", "decided_on", "id")  # for keyset pages
        rows = queries.urgent_decisions_awaiting_report(visible).order_by(*self.applied_ordering)
        filterset = filters.UrgentDecisionDueFilterSet(request.query_params, queryset=rows)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        rows = filterset.qs
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializers.UrgentDecisionDueSerializer(page, many=True).data)


class RatificationViewSet(ReferencedViewSet):
    queryset = models.Ratification.objects.all()
    serializer_class = serializers.RatificationSerializer
    filterset_class = filters.RatificationFilterSet
    search_fields = ["organisation__name", "minute_reference"]
    ordering_fields = ["decided_on", "id"]
    ordering = ("decision_id", "organisation__name", "id")
    deletable = False  # evidence: correct the outcome with the reason instead
    if_match_actions = (*RegistryViewSet.if_match_actions, "record")

    def create(self, request, *args, **kwargs):
        raise exceptions.PermissionDenied(
            "Ratifications are created when a decision that needs them is recorded; record a board's answer "
            "with POST /ratifications/{id}/record/."
        )

    @extend_schema(
        request=serializers.RatificationRecordSerializer, responses=serializers.RatificationSerializer
    )
    @action(detail=True, methods=["post"])
    def record(self, request, *args, **kwargs):
        """Record the partner board's answer (ratified, declined, deferred); the decision's status follows.
        Recording the same answer again changes nothing."""
        ratification = self.get_object_for_write()
        form = serializers.RatificationRecordSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        ratification = services.ratification_record(ratification=ratification, **form.validated_data)
        self.recheck_scope(ratification, "change")
        return self.written(ratification, 200)


class ProposalViewSet(ReferencedViewSet):
    queryset = models.Proposal.objects.prefetch_related("route__stages")
    serializer_class = serializers.ProposalSerializer
    filterset_class = filters.ProposalFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["title", "stage_reached", "id"]
    ordering = ("partnership_id", "title", "id")
    if_match_actions = (*RegistryViewSet.if_match_actions, "advance")

    def perform_create(self, serializer):
        serializer.instance = services.proposal_create(**serializer.validated_data)
        self.recheck_scope(serializer.instance, "add")

    def perform_destroy(self, instance):
        if instance.decisions.exists() or instance.stage_reached:
            # An integrity conflict (409), like every other refused delete of a record others rest on.
            raise Conflict("Stage decisions rest on this proposal, so it cannot be deleted.")
        instance.delete()

    @extend_schema(request=serializers.ProposalAdvanceSerializer, responses=serializers.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, *args, **kwargs):
        """Record the outcome of the proposal's next stage: a decision of the acting body at its meeting, or
        the sign-off of the relevant local organisations."""
        proposal = self.get_object_for_write()
        form = serializers.ProposalAdvanceSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        proposal = services.proposal_advance(proposal=proposal, **form.validated_data)
        self.recheck_scope(proposal, "change")
        return self.written(proposal, 200)

    @extend_schema(responses=serializers.ProposalPositionSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def position(self, request, *args, **kwargs):
        """Where the proposal stands on its route, the decisions at each stage, and what is next."""
        proposal = self.get_object()
        return Response(serializers.ProposalPositionSerializer(queries.proposal_position(proposal)).data)


# -- views outside the router ---------------------------------------------------------------
def _on(request):
    if "on" not in request.query_params:
        return today()
    try:
        return drf_serializers.DateField().run_validation(request.query_params["on"])
    except exceptions.ValidationError as error:
        raise exceptions.ValidationError({"on": error.detail}) from None


def _tracker(ratifications, on) -> dict:
    rows = queries.ratifications_outstanding(ratifications, on)
    by_organisation: dict[int, dict] = defaultdict(lambda: {"outstanding": 0, "oldest_days": 0})
    for row in rows:
        organisation = row.ratification.organisation
        entry = by_organisation[organisation.pk]
        entry["organisation"] = {"id": organisation.pk, "display": organisation.name}
        entry["outstanding"] += 1
        entry["oldest_days"] = max(entry["oldest_days"], row.age_days)
    summary = sorted(
        by_organisation.values(), key=lambda e: (-e["oldest_days"], e["organisation"]["display"])
    )
    return {
        "on": on,
        "outstanding": len(rows),
        "oldest_days": max((row.age_days for row in rows), default=None),
        "by_organisation": summary,
        "results": rows,
    }


TRACKER_SCHEMA = {
    "parameters": [
        OpenApiParameter("on", OpenApiTypes.DATE, description="Ages as at this day (default today).")
    ],
    "responses": serializers.RatificationTrackerSerializer,
}


class PartnershipRatificationTrackerView(APIView):
    """Ratifications outstanding across the partnership's decisions: who has not yet ratified, for how long."""

    @extend_schema(operation_id="partnerships_ratification_tracker", **TRACKER_SCHEMA)
    def get(self, request, pk):
        partnership = visible_or_404(Partnership, request, pk)
        ratifications = access.restrict(
            models.Ratification.objects.filter(decision__body__partnership=partnership), request.user
        )
        return Response(serializers.RatificationTrackerSerializer(_tracker(ratifications, _on(request))).data)


class OrganisationRatificationTrackerView(APIView):
    """The ratifications an organisation's board still owes, across the partnerships you may see."""

    @extend_schema(operation_id="organisations_ratification_tracker", **TRACKER_SCHEMA)
    def get(self, request, pk):
        organisation = visible_or_404(Organisation, request, pk)
        ratifications = access.restrict(
            models.Ratification.objects.filter(organisation=organisation), request.user
        )
        return Response(serializers.RatificationTrackerSerializer(_tracker(ratifications, _on(request))).data)


class ICalendarRenderer(ORJSONRenderer):
    """Lets clients ask for text/calendar; calendars are returned as-is, errors as JSON text."""

    media_type = "text/calendar"
    format = "ics"


CALENDAR_SCHEMA = {
    "responses": {
        (200, "text/calendar"): OpenApiResponse(
            OpenApiTypes.STR, description="An iCalendar (RFC 5545) feed."
        ),
    },
}


def _calendar_response(meetings, name: str, filename: str) -> HttpResponse:
    meetings = meetings.select_related("body").order_by("starts_at", "id")
    response = HttpResponse(meetings_calendar(meetings, name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    return response


@csrf_exempt
def calendar_not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "Not found."}, status=404)


class BodyCalendarView(APIView):
    """The body's meetings as an iCalendar feed (cancelled ones marked cancelled; restricted items left out)."""

    renderer_classes = [ORJSONRenderer, ICalendarRenderer]

    @extend_schema(operation_id="bodies_meetings_calendar", **CALENDAR_SCHEMA)
    def get(self, request, pk):
        body = visible_or_404(Body, request, pk)
        if body.partnership_id is None:
            raise Http404
        return _calendar_response(
            models.Meeting.objects.filter(body=body), body.name, f"{body.slug}-meetings"
        )


class PartnershipCalendarView(APIView):
    """Every meeting of the partnership's bodies as an iCalendar feed."""

    renderer_classes = [ORJSONRenderer, ICalendarRenderer]

    @extend_schema(operation_id="partnerships_meetings_calendar", **CALENDAR_SCHEMA)
    def get(self, request, pk):
        partnership = visible_or_404(Partnership, request, pk)
        return _calendar_response(
            models.Meeting.objects.filter(body__partnership=partnership),
            f"{partnership} meetings",
            f"{partnership.slug}-meetings",
        )

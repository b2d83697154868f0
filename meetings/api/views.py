"""The meeting cycle over REST, read-only: the records are written through the pages and
`meetings.services`; other systems read them here, through the same `restrict()` as the pages and
the public site (a restricted item's papers, minutes and actions for its body's members and the
secretariat only; draft minutes and the members' pack never public)."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action

from core.api.renderers import ORJSONRenderer, StoredFileRenderer
from core.api.viewsets import ReadOnlyRegistryViewSet
from meetings import models
from meetings.api import filters, serializers
from meetings.files import CONTENT_TYPES, pack_file_response, paper_file_response

FILE_ACTION = {"detail": True, "methods": ["get"], "pagination_class": None, "filter_backends": []}
FILE_RENDERERS = [ORJSONRenderer, StoredFileRenderer]


def file_schema(description: str, content_types, parameters=()):
    return extend_schema(
        description=description,
        parameters=list(parameters),
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
            for content_type in content_types
        },
    )


class PaperViewSet(ReadOnlyRegistryViewSet):
    queryset = models.Paper.objects.all()
    prefetches = (Prefetch("versions", queryset=models.PaperVersion.objects.order_by("number")),)
    serializer_class = serializers.PaperSerializer
    filterset_class = filters.PaperFilterSet
    search_fields = ["title"]
    ordering_fields = ["created_at", "id"]
    ordering = ("agenda_item_id", "position", "id")

    @file_schema(
        "The paper's newest version as a file (`?version=N` for an earlier one), for whoever may read "
        "the paper: the same answer as its download page, with an API token too.",
        sorted(set(CONTENT_TYPES.values())),
        [
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="A version number; the newest if absent."
            )
        ],
    )
    @action(**FILE_ACTION, renderer_classes=FILE_RENDERERS)
    def file(self, request, *args, **kwargs):
        paper = self.get_object()
        asked = request.query_params.get("version", "")
        if asked and not asked.isdigit():
            raise Http404("No such version.")
        return paper_file_response(paper, int(asked) if asked else None)


class AgendaPackViewSet(ReadOnlyRegistryViewSet):
    queryset = models.AgendaPack.objects.all()
    serializer_class = serializers.AgendaPackSerializer
    filterset_class = filters.AgendaPackFilterSet
    ordering_fields = ["requested_at", "id"]
    ordering = ("meeting_id", "id")

    @file_schema("The pack as one PDF once it is made, for whoever may read it.", ["application/pdf"])
    @action(**FILE_ACTION, renderer_classes=FILE_RENDERERS)
    def file(self, request, *args, **kwargs):
        return pack_file_response(self.get_object())


class MinutesViewSet(ReadOnlyRegistryViewSet):
    """A meeting's minutes; their entries, one per agenda item, are at /minute-entries/."""

    queryset = models.Minutes.objects.all()
    serializer_class = serializers.MinutesSerializer
    filterset_class = filters.MinutesFilterSet
    ordering_fields = ["approved_on", "id"]
    ordering = ("meeting_id", "id")


class MinuteEntryViewSet(ReadOnlyRegistryViewSet):
    """Each agenda item's minute with its amendments. Its own resource, not nested in the minutes:
    a restricted item's minute is hidden on its own (core.access.restrict), the minutes are not."""

    queryset = models.MinuteEntry.objects.all()
    prefetches = (Prefetch("amendments", queryset=models.MinuteAmendment.objects.order_by("made_at", "id")),)
    serializer_class = serializers.MinuteEntrySerializer
    filterset_class = filters.MinuteEntryFilterSet
    search_fields = ["text"]
    ordering_fields = ["id"]
    ordering = ("minutes_id", "id")


class ActionViewSet(ReadOnlyRegistryViewSet):
    queryset = models.Action.objects.all()
    prefetches = (Prefetch("updates", queryset=models.ActionUpdate.objects.order_by("on", "id")),)
    serializer_class = serializers.ActionSerializer
    filterset_class = filters.ActionFilterSet
    search_fields = ["description"]
    ordering_fields = ["due_on", "id"]
    ordering = ("body_id", "due_on", "id")


class ForwardPlanEntryViewSet(ReadOnlyRegistryViewSet):
    queryset = models.ForwardPlanEntry.objects.all()
    serializer_class = serializers.ForwardPlanEntrySerializer
    filterset_class = filters.ForwardPlanEntryFilterSet
    search_fields = ["title"]
    ordering_fields = ["month", "id"]
    ordering = ("body_id", "month", "id")


class GiftViewSet(ReadOnlyRegistryViewSet):
    queryset = models.Gift.objects.all()
    serializer_class = serializers.GiftSerializer
    filterset_class = filters.GiftFilterSet
    search_fields = ["description", "offered_by"]
    ordering_fields = ["offered_on", "value_gbp", "id"]
    ordering = ("partnership_id", "-offered_on", "id")


class SecretariatReadViewSet(ReadOnlyRegistryViewSet):
    """Read by those who keep the partnership's records, as on the declaration rounds page (who has
    made a return, and who a nil one, is the secretariat's to follow up)."""

    def get_action_scope(self) -> str:
        return "change"


class DeclarationRoundViewSet(SecretariatReadViewSet):
    queryset = models.DeclarationRound.objects.all()
    prefetches = (Prefetch("returns", queryset=models.DeclarationReturn.objects.order_by("id")),)
    serializer_class = serializers.DeclarationRoundSerializer
    filterset_class = filters.DeclarationRoundFilterSet
    ordering_fields = ["year", "id"]
    ordering = ("partnership_id", "-year", "id")


class DeclarationReturnViewSet(SecretariatReadViewSet):
    queryset = models.DeclarationReturn.objects.all()
    serializer_class = serializers.DeclarationReturnSerializer
    filterset_class = filters.DeclarationReturnFilterSet
    ordering_fields = ["confirmed_at", "id"]
    ordering = ("round_id", "id")

"""Exports over REST: POST /exports/ to request one, GET /exports/{id}/ for its progress,
GET /exports/{id}/download/ for the file once it is done.

Requesting an export is a read of the partnership (any role on it, and read-only tokens, may ask);
the work runs in the background (composition/exports.py). Exports are never changed.
"""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.routers import DefaultRouter

from bodies.models import Partnership
from composition import exports
from core.api.exceptions import Conflict
from core.api.fastpath import values_from
from core.api.filters import IntegerFilter, RegistryFilterSet
from core.api.serializers import READ_ONLY, BriefRelatedField, RegistrySerializer, related
from core.api.viewsets import RegistryViewSet
from core.models import Export


class ExportSerializer(RegistrySerializer):
    detail_view_name = "api:export-detail"
    brief_fields = ("id", "url", "display", "kind", "status", "progress")
    partnership = BriefRelatedField(view_name="api:partnership-detail", read_only=True)
    requested_by = serializers.IntegerField(source="requested_by_id", read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = (
            *READ_ONLY, "kind", "partnership", "as_at", "status", "progress", "error", "requested_by",
            "requested_at", "started_at", "finished_at", "download_url",
        )  # fmt: skip
        read_only_fields = fields

    @values_from("status")
    def get_download_url(self, obj) -> str | None:
        """Where to fetch the file, once the export is done."""
        request = self.context.get("request")
        if obj.status != Export.Status.DONE or request is None:
            return None
        return request.build_absolute_uri(reverse("api:export-download", args=[obj.pk]))


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Export.Kind.choices)
    partnership = related("api:partnership-detail", Partnership)
    as_at = serializers.DateField(
        required=False, help_text="The day the export shows the registry as at (today)."
    )


class ExportFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = Export
        fields = {"id": ["exact", "in"], "kind": ["exact"], "status": ["exact"]}


class ExportViewSet(RegistryViewSet):
    queryset = Export.objects.select_related("partnership")
    serializer_class = ExportSerializer
    filterset_class = ExportFilterSet
    ordering_fields = ["requested_at", "id"]
    ordering = ("-requested_at", "-id")
    deletable = False

    def get_action_scope(self) -> str:
        # Requesting an export reads the partnership; changing one is not possible (update below).
        return "view" if self.action in ("create", "download") else super().get_action_scope()

    @extend_schema(request=ExportRequestSerializer, responses={201: ExportSerializer})
    def create(self, request, *args, **kwargs):
        """Request an export; it is made in the background. Poll the record for its progress."""
        form = ExportRequestSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        export = exports.export_request(**form.validated_data, requested_by=request.user)
        return self.written(export, 201)

    def update(self, request, *args, **kwargs):
        self.get_object_for_write()  # another partnership's export: 404, like every record
        raise exceptions.MethodNotAllowed(
            request.method, detail="An export is not changed; request a new one."
        )

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            409: OpenApiResponse(description="Not done yet."),
        }
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def download(self, request, *args, **kwargs):
        """The export's file, once it is done (409 before then)."""
        export = self.get_object()
        if export.status != Export.Status.DONE:
            raise Conflict(f"The export is {export.get_status_display().lower()} ({export.progress}% done).")
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=exports.file_name(export),
            content_type=exports.content_type(export),
        )


router = DefaultRouter()
router.register("exports", ExportViewSet)

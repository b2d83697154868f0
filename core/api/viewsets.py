"""The one shape of every resource's API.

A viewset is one line per concern: its model's restricted queryset, a serializer, a
filterset. This base supplies the rest, the same for every app:
- reads through `restrict(user, action)`: another partnership's object is a 404;
- prefetches derived from the serializer, so query counts do not grow with page size;
- ETag on every record, If-Match required on writes (428 without, 412 when stale), with
  the row locked so concurrent writers cannot both pass;
- every write in one transaction, re-checked to be inside the user's scope after saving;
- `?brief=1` for brief representations, `?as_at=` on effective-dated resources;
- `/history/` per record and `/export/` (CSV or JSON) per list.
"""

import csv
import datetime
import io
import itertools
import operator

import orjson
import pghistory
import pghistory.models
from django.db import transaction
from django.db.models import Prefetch, ProtectedError
from django.http import Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core import writes
from core.access import partnership_scope, restrict
from core.api.exceptions import Conflict, PreconditionFailed, PreconditionRequired
from core.api.fastpath import flat_cell, plan_for, stream_rows
from core.api.parsers import RegistryJSONParser
from core.api.renderers import CSVRenderer, ORJSONRenderer
from core.api.serializers import prefetches_for
from core.concurrency import Revisioned, etag_for, etag_of, revision_in
from core.effective_dating import deletion_refusal, log_deletion
from core.history import record_as_at
from core.spreadsheets import FORMULA_STARTS, formula_safe

EXPORT_BATCH = 2000
PAGING_ONLY = {"limit", "offset", "cursor", "format", "brief"}
READ_METHODS = ("get", "head", "options")
BRIEF_VALUES = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True, "yes": True}


def visible_or_404(model, request, pk):
    """A record by id from what the user may see: not found, malformed or another partnership's is 404."""
    try:
        return restrict(model._default_manager.all(), request.user, "view").get(pk=int(pk))
    except (model.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


class HistoryEventSerializer(serializers.Serializer):
    id = serializers.CharField(source="pgh_id")
    created_at = serializers.DateTimeField(source="pgh_created_at")
    label = serializers.CharField(source="pgh_label")
    data = serializers.JSONField(source="pgh_data")
    diff = serializers.JSONField(source="pgh_diff", allow_null=True)
    user = serializers.IntegerField(source="user_id", allow_null=True)
    url = serializers.CharField(allow_null=True)
    request_id = serializers.SerializerMethodField()

    def get_request_id(self, event) -> str | None:
        return (event.pgh_context or {}).get("request_id")


class RegistryViewSet(viewsets.ModelViewSet):
    """Base viewset; subclasses set `queryset`, `serializer_class` and `filterset_class`."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    # Ids are whole numbers; anything else never reaches a query (the API answers a JSON 404).
    lookup_value_regex = "[0-9]+"
    # False: read-only over the API (records written through the pages and services only): every
    # write answers 405 with an Allow header of the reads (ReadOnlyRegistryViewSet below).
    writable = True
    deletable = True
    ordering = ("id",)
    # `Prefetch` lookups with their own querysets (an order for a nested list): applied to the
    # queryset, and read by the fast path (api/fastpath.py) for the same order.
    prefetches: tuple[Prefetch, ...] = ()
    applied_ordering: tuple[str, ...] | None = None  # the list's ordering, once filter_queryset ordered it
    # Actions that change an existing record, so need its ETag in If-Match.
    if_match_actions = ("update", "partial_update", "destroy")
    # The API reads JSON only: form encodings cannot say null, and the schema promises what is read.
    parser_classes = [RegistryJSONParser]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.writable:
            # Not routed at all: writes answer 405 with an Allow header of the reads only.
            cls.http_method_names = [name for name in cls.http_method_names if name in READ_METHODS]
        elif not cls.deletable:
            # Not routed at all: DELETE answers 405 with an Allow header that leaves it out.
            cls.http_method_names = [name for name in cls.http_method_names if name != "delete"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        if not self.writable and request.method.lower() not in READ_METHODS:
            raise exceptions.MethodNotAllowed(
                request.method, detail="These records are read-only over the API."
            )
        if request.method == "DELETE" and not self.deletable:
            raise exceptions.MethodNotAllowed(
                request.method, detail="These records are evidence and are never deleted."
            )
        return super().http_method_not_allowed(request, *args, **kwargs)

    def perform_content_negotiation(self, request, force=False):
        # An unknown or empty ?format= is bad input, not a missing resource (DRF reads an empty one
        # as none given, and would answer in the default format what was asked in no format).
        given = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
        try:
            if given is not None and not given.strip() and not force:
                raise Http404
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise exceptions.ValidationError({"format": [f"Choose one of: {formats}."]}) from None

    # -- reading ------------------------------------------------------------------
    def get_action_scope(self) -> str:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return "view"
        return {"create": "add", "destroy": "delete"}.get(self.action, "change")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.prefetches:
            queryset = queryset.prefetch_related(*self.prefetches)
        select, prefetch = prefetches_for(self.get_serializer_class())
        if select:
            queryset = queryset.select_related(*select)
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        return restrict(queryset, self.request.user, self.get_action_scope())

    def filter_queryset(self, queryset):
        # List filters narrow lists; a record is found by its id alone (?as_at= on it reads its history).
        if self.detail:
            return queryset
        params = self.request.query_params
        if set(params) <= PAGING_ONLY and all(len(params.getlist(name)) == 1 for name in params):
            # Nothing to filter or search: only the default ordering applies. The filter backends
            # would build a filter set and its form for nothing, a third of a list request's time.
            self.applied_ordering = tuple(self.ordering)  # read by keyset pages (api/pagination.py)
            return queryset.order_by(*self.applied_ordering)
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        """Lists render from `.values()` rows where the serializer allows it (see api/fastpath.py)."""
        serializer_class = self.get_serializer_class()
        plan = plan_for(serializer_class)
        if not plan.supported or self.get_serializer_context()["brief"]:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginator.paginate_values(
            plan.queryset(queryset),
            request,
            view=self,
            count_queryset=queryset.prefetch_related(None),
            rows_by_ids=plan.rows_by_ids,
            joined_tables=plan.tables,
        )
        rows = plan.render(page, plan.context(request, serializer_class.detail_view_name, self.prefetches))
        return self.get_paginated_response(rows)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["brief"] = self.brief_requested()
        return context

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.brief_requested()  # a bad ?brief= is a 400 on every action, whether or not it serializes

    def brief_requested(self) -> bool:
        value = self.request.query_params.get("brief", "").lower()
        if value not in BRIEF_VALUES:
            raise exceptions.ValidationError({"brief": ["Give true or false."]})
        return BRIEF_VALUES[value]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as_at",
                OpenApiTypes.DATE,
                description="The record as it stood at the end of this day (from its history).",
            )
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        if "as_at" not in request.query_params:
            fast = self.retrieve_row()
            if fast is not None:
                return fast
        instance = self.get_object()
        if "as_at" in request.query_params:
            try:
                on = serializers.DateField().run_validation(request.query_params["as_at"])
            except exceptions.ValidationError as error:
                raise exceptions.ValidationError({"as_at": error.detail}) from None
            snapshot = record_as_at(instance, on)
            if snapshot is None:
                raise exceptions.NotFound("This record did not exist on that day.")
            return Response(self.get_serializer(snapshot).data)
        response = Response(self.get_serializer(instance).data)
        if isinstance(instance, Revisioned):  # a job's record or a return is read, never changed here
            response["ETag"] = etag_for(instance)
        return response

    def retrieve_row(self) -> Response | None:
        """A record through the list's fast path (api/fastpath.py): one `.values()` row, rendered
        as the serializer would. None where the serializer, or an object permission, needs the
        instance."""
        serializer_class = self.get_serializer_class()
        plan = plan_for(serializer_class)
        if (
            not plan.supported
            or "revision" not in plan.columns
            or self.get_serializer_context()["brief"]
            or not all(_no_object_rule(permission) for permission in self.get_permissions())
        ):
            return None
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        queryset = self.get_queryset()
        rows = list(plan.queryset(queryset.filter(pk=int(lookup)).order_by())[:1])
        if not rows:
            raise Http404
        ctx = plan.context(self.request, serializer_class.detail_view_name, self.prefetches)
        response = Response(plan.render(rows, ctx)[0])
        response["ETag"] = etag_of(queryset.model, rows[0]["id"], rows[0]["revision"])
        return response

    # -- writing ------------------------------------------------------------------
    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def check_if_match(self, instance):
        """Lock the row at the revision the client's If-Match names (core.writes.lock_at_revision,
        as the pages and the admin do): 428 without one, 412 when someone else changed it since."""
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        tags = {tag.strip() for tag in header.split(",")}
        expected = writes.ANY_REVISION if "*" in tags else revision_in(tags, instance)
        try:
            current = writes.lock_at_revision(instance, expected)
        except writes.StaleRecord:
            raise PreconditionFailed() from None
        instance.revision = current.revision

    def get_object_for_write(self):
        try:
            instance = self.get_object()
        except Http404:
            # Visible but not editable (a viewer of this partnership): say so. Invisible: 404.
            lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
            visible = restrict(self.queryset.model._default_manager.all(), self.request.user, "view")
            if visible.filter(**lookup).exists():
                raise exceptions.PermissionDenied("You may read this record but not change it.") from None
            raise
        self.check_if_match(instance)
        return instance

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object_for_write()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.written(serializer.instance, status.HTTP_200_OK)

    def create(self, request, *args, **kwargs):
        if not self.create_permitted():
            raise exceptions.PermissionDenied("You may not add records.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.written(serializer.instance, status.HTTP_201_CREATED)

    def create_permitted(self) -> bool:
        scope = partnership_scope(self.request.user, "add")
        return scope is None or bool(scope)

    def perform_create(self, serializer):
        instance = serializer.save()
        self.recheck_scope(instance, "add")

    def perform_update(self, serializer):
        instance = serializer.save()
        self.recheck_scope(instance, "change")

    def recheck_scope(self, instance, scope: str) -> None:
        """After saving, in the same transaction: is the record still inside the user's scope?
        (core.writes.ensure_within_scope, as the pages and the admin.)"""
        try:
            writes.ensure_within_scope(user=self.request.user, record=instance, action=scope)
        except writes.OutsideScope as refusal:
            transaction.set_rollback(True)
            raise exceptions.ValidationError({"non_field_errors": [refusal.message]}) from None

    def written(self, instance, code):
        # Re-read through the list's queryset, so nested rows come prefetched (an approval route's
        # stages and each stage's bodies), not one query per nested row (found by django-zeal).
        fresh = self.get_queryset().filter(pk=instance.pk).first()
        if fresh is None:
            instance.refresh_from_db()
        else:
            instance = fresh
        response = Response(self.get_serializer(instance).data, status=code)
        response["ETag"] = etag_for(instance)
        if code == status.HTTP_201_CREATED and response.data.get("url"):
            response["Location"] = response.data["url"]
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "reason",
                OpenApiTypes.STR,
                description="Why an effective-dated record is deleted (it was entered in error). Such records "
                "are ended (PATCH effective_to), not deleted; only a registry administrator may delete one, "
                "with the reason, which the history keeps.",
            )
        ]
    )
    def destroy(self, request, *args, **kwargs):
        instance = self.get_object_for_write()
        reason = request.query_params.get("reason", "").strip()
        refusal = deletion_refusal(user=request.user, instance=instance, reason=reason)
        if refusal is not None and "reason" in refusal:
            raise exceptions.ValidationError({"reason": [refusal["reason"]]})
        if refusal is not None:
            raise exceptions.PermissionDenied(refusal["detail"])
        pk = instance.pk
        try:
            # A savepoint: a refused delete leaves the request usable. The reason joins the
            # history context, so the delete event carries it.
            with transaction.atomic(), pghistory.context(**({"reason": reason} if reason else {})):
                self.perform_destroy(instance)
        except ProtectedError as error:
            raise Conflict(
                f"This {instance._meta.verbose_name} is still referred to by "
                f"{len(error.protected_objects)} other record(s); end or remove those first."
            ) from None
        if reason:
            log_deletion(user=request.user, model=type(instance), pk=pk, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_allowed_methods_for_schema(self):
        return self.http_method_names

    # -- history and export ---------------------------------------------------------
    @extend_schema(responses=HistoryEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, *args, **kwargs):
        """Every change to this record: who, when, from which request, old and new values."""
        instance = self.get_object()
        events = pghistory.models.MiddlewareEvents.objects.tracks(instance).order_by(
            "pgh_created_at", "pgh_id"
        )
        return Response(HistoryEventSerializer(events, many=True).data)

    # Its responses (the resource's rows as JSON or CSV) are documented by RegistryAutoSchema.
    @extend_schema(parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "json"])])
    @action(
        detail=False, methods=["get"], renderer_classes=[ORJSONRenderer, CSVRenderer], pagination_class=None
    )
    def export(self, request, *args, **kwargs):
        """The whole filtered list, streamed as CSV or JSON (the same rows the list shows)."""
        queryset = self.filter_queryset(self.get_queryset())
        if not queryset.ordered:
            queryset = queryset.order_by("pk")
        fmt = getattr(request.accepted_renderer, "format", "json")
        # Built before streaming starts, so a bad ?brief= is a 400 rather than a broken download.
        serializer_class, context = self.get_serializer_class(), self.get_serializer_context()
        plan = plan_for(serializer_class)
        fast = plan.supported and not context["brief"]
        fast_csv = fast and fmt == "csv"
        if fast_csv:
            # The list's fast path (api/fastpath.py): CSV cells straight from .values() rows.
            rows = _plan_csv(
                plan.queryset(queryset),
                plan,
                plan.context(request, serializer_class.detail_view_name, self.prefetches),
            )
        elif fast:
            rows = _plan_chunks(
                plan.queryset(queryset),
                plan,
                plan.context(request, serializer_class.detail_view_name, self.prefetches),
            )
        else:
            rows = _serializer_chunks(queryset, serializer_class, context)
        # The query runs here, not mid-download: a database error is a clean 400, not a cut-off file.
        first = next(rows, None)
        rows = itertools.chain([first], rows) if first is not None else iter(())
        stamp = datetime.date.today().isoformat()
        name = f"{self.basename}-{stamp}.{fmt}"
        if fmt == "csv":
            lines = rows if fast_csv else _csv_lines(rows, _related_names(serializer_class, context))
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        else:
            response = StreamingHttpResponse(_json_chunks(rows), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ReadOnlyRegistryViewSet(RegistryViewSet):
    """A resource the API only reads (list, record, history, export): the same restricted reads as
    every resource, and POST, PUT, PATCH and DELETE answer 405."""

    writable = False
    deletable = False


def _no_object_rule(permission) -> bool:
    """The permission decides nothing per object (DRF's default `has_object_permission`)."""
    return type(permission).has_object_permission is BasePermission.has_object_permission


def _serializer_chunks(queryset, serializer_class, context):
    """Lists of serialized rows, EXPORT_BATCH at a time: prefetches apply per chunk and memory
    stays flat however many rows there are."""
    for chunk in _batches(queryset.iterator(chunk_size=EXPORT_BATCH)):
        # One serializer per chunk: a ModelSerializer builds its fields per instance, which per
        # row cost more than the row itself.
        yield serializer_class(chunk, many=True, context=context).data


def _batches(rows):
    """Lists of EXPORT_BATCH rows (the last shorter)."""
    while batch := list(itertools.islice(rows, EXPORT_BATCH)):
        yield batch


def _plan_chunks(values, plan, ctx):
    """The same rows from the fast path's plan, a batch at a time."""
    for batch in _batches(stream_rows(values, plan.names, EXPORT_BATCH)):
        yield plan.render(batch, ctx)


def _related_names(serializer_class, context) -> set[str]:
    """The fields that render as a related record: a CSV gives each an `_id` column, whether or
    not the first row has one (the header comes from the first row)."""
    fields = serializer_class(context=context).fields
    return {
        name
        for name, field in fields.items()
        if isinstance(field, (serializers.RelatedField, serializers.BaseSerializer))
        and not isinstance(field, serializers.ListSerializer)
    }


def _flatten(row: dict, related: frozenset | set = frozenset(), prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if key in related and not isinstance(value, list):
            flat[f"{name}_id"] = value.get("id") if isinstance(value, dict) else value
        elif isinstance(value, dict):
            flat[f"{name}_id" if "id" in value else name] = flat_cell(value)
        elif isinstance(value, list):
            flat[name] = flat_cell(value)
        else:
            flat[name] = value
    return flat


def _plan_csv(values, plan, ctx):
    """CSV text a chunk at a time from the fast path: no dict per row, no flattening. The cells
    that are a column as it is are picked together (`itemgetter`); only the rest are built."""
    names, getters, text = plan.flat_columns()
    keys = [getattr(get, "raw_key", None) or f"\0{i}" for i, get in enumerate(getters)]
    built = [(key, get) for key, get in zip(keys, getters, strict=True) if not hasattr(get, "raw_key")]
    pick = operator.itemgetter(*keys)
    guarded = [i for i, may_be_text in enumerate(text) if may_be_text]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for batch in _batches(stream_rows(values, plan.names, EXPORT_BATCH)):
        batch_ctx = plan.prepare(batch, ctx, displays=False)  # nested lists and prefetched relations
        lines = []
        for row in batch:
            for key, get in built:
                row[key] = get(row, batch_ctx)
            cells = pick(row)
            for i in guarded:
                cell = cells[i]
                if cell.__class__ is str and cell[:1] in FORMULA_STARTS:
                    cells = [formula_safe(value) for value in cells]
                    break
            lines.append(cells)
        writer.writerows(lines)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def _csv_lines(chunks, related: set[str] = frozenset()):
    """CSV text, one piece per chunk of rows (a write per row would dominate the export's time)."""
    buffer = io.StringIO()
    writer, names = csv.writer(buffer), None
    for chunk in chunks:
        for row in chunk:
            flat = _flatten(row, related)
            if names is None:
                names = list(flat)
                writer.writerow(names)
            writer.writerow([formula_safe(flat.get(name)) for name in names])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def _json_chunks(chunks):
    yield b"["
    first = True
    for chunk in chunks:
        if chunk:
            yield (b"" if first else b",") + orjson.dumps(chunk)[1:-1]
            first = False
    yield b"]"

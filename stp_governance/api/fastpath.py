"""The fast read path for hot list endpoints.

A list page of a ModelSerializer pays, per row and field, for a model instance, attribute
descriptors, field objects and URL reversing; measured here, that is about ten times the cost of
fetching the same rows with SQL. For serializers whose fields are plain columns and brief
foreign keys, the plan below renders the same JSON from `.values()` rows: the URL prefixes
are reversed once per request and the related records' display names are fetched in the
same query. The plan is derived from the serializer, so the two paths cannot drift apart
(tests compare them for every endpoint that uses it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.db.models import Expression, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from rest_framework import fields as drf_fields
from rest_framework import serializers

from stp_governance.api.serializers import BriefRelatedField

PLACEHOLDER = 987654321987


def display_expression(model, prefix: str = "") -> Expression | None:
    """The SQL for a record's `display`, where it is a column (or a short column rule)."""
    rule = getattr(model, "display_sql", None)
    if rule == "short_name_or_name":
        return Coalesce(NullIf(F(f"{prefix}short_name"), Value("")), F(f"{prefix}name"))
    if rule:
        return F(f"{prefix}{rule}")
    return None


@dataclass
class Column:
    name: str
    render: Callable[[dict], object]


class ValuesPlan:
    """How to render a serializer's fields from one `.values()` row."""

    def __init__(self, serializer_class):
        self.serializer_class = serializer_class
        self.model = serializer_class.Meta.model
        self.columns: list[str] = []
        self.annotations: dict[str, Expression] = {}
        self.builders: list[tuple[str, Callable]] = []
        self.structured: set[str] = set()  # fields whose values are lists or objects
        self.supported = self._build()

    def _build(self) -> bool:
        serializer = self.serializer_class()
        own_display = display_expression(self.model)
        for name, field in serializer.fields.items():
            if name == "url":
                self.builders.append((name, lambda row, ctx: f"{ctx['self_prefix']}{row['id']}/"))
            elif name == "display":
                if own_display is None or type(serializer).get_display is not _base_get_display():
                    return False
                self.annotations["_display"] = own_display
                self.builders.append((name, lambda row, ctx: row["_display"]))
            elif isinstance(field, BriefRelatedField):
                related_model = field.queryset.model if field.queryset is not None else None
                expression = display_expression(related_model, f"{field.source}__") if related_model else None
                if expression is None or not field.view_name:
                    return False
                id_key, display_key = f"{field.source}_id", f"_{field.source}_display"
                self.columns.append(id_key)
                self.annotations[display_key] = expression
                self.builders.append((name, _related_builder(id_key, display_key, field.view_name)))
            elif isinstance(
                field,
                serializers.RelatedField
                | serializers.ManyRelatedField
                | serializers.BaseSerializer
                | drf_fields.SerializerMethodField,
            ):
                return False
            else:
                source = field.source
                if "." in source:
                    return False
                self.columns.append(source)
                self.builders.append((name, _plain_builder(source, field)))
                if isinstance(field, drf_fields.ListField | drf_fields.JSONField | drf_fields.DictField):
                    self.structured.add(name)
        if "id" not in self.columns:
            self.columns.append("id")
        return True

    def queryset(self, queryset):
        return queryset.values(*self.columns, **self.annotations)

    def context(self, request, detail_view_name: str) -> dict:
        def prefix(view_name: str) -> str:
            url = request.build_absolute_uri(reverse(view_name, kwargs={"pk": PLACEHOLDER}))
            return url.split(str(PLACEHOLDER))[0]

        view_names = {detail_view_name} | {
            builder.view_name for _, builder in self.builders if hasattr(builder, "view_name")
        }
        prefixes = {view_name: prefix(view_name) for view_name in view_names}
        return {"self_prefix": prefixes[detail_view_name], "prefixes": prefixes}

    def flat_columns(self) -> tuple[list[str], list[Callable]]:
        """CSV columns, as the export flattens a rendered row (a related record is its id under
        `<name>_id`, a list is joined with "; "), read straight from the `.values()` row."""
        names, getters = [], []
        for name, build in self.builders:
            if hasattr(build, "id_key"):
                names.append(f"{name}_id")
                getters.append(_column(build.id_key))
            elif name in self.structured:
                names.append(name)
                getters.append(_flattened(build))
            else:
                names.append(name)
                getters.append(build)
        return names, getters

    def render(self, rows, ctx: dict) -> list[dict]:
        builders = self.builders
        return [{name: build(row, ctx) for name, build in builders} for row in rows]


def _base_get_display():
    from stp_governance.api.serializers import RegistrySerializer

    return RegistrySerializer.get_display


def _related_builder(id_key: str, display_key: str, view_name: str):
    def build(row, ctx):
        pk = row[id_key]
        if pk is None:
            return None
        return {"id": pk, "url": f"{ctx['prefixes'][view_name]}{pk}/", "display": row[display_key]}

    build.view_name = view_name
    build.id_key = id_key
    return build


def _column(key: str):
    return lambda row, ctx: row[key]


def _flattened(build):
    def flat(row, ctx):
        value = build(row, ctx)
        if isinstance(value, list):
            return "; ".join(str(v.get("display", v) if isinstance(v, dict) else v) for v in value)
        if isinstance(value, dict):
            return value.get("id", orjson.dumps(value).decode())
        return value

    return flat


def _plain_builder(source: str, field):
    if isinstance(field, drf_fields.DecimalField | drf_fields.DateTimeField):

        def build(row, ctx):
            value = row[source]
            return None if value is None else field.to_representation(value)

        return build
    if isinstance(field, drf_fields.DateField):
        return lambda row, ctx: None if row[source] is None else row[source].isoformat()
    return lambda row, ctx: row[source]


_PLANS: dict[type, ValuesPlan] = {}


def plan_for(serializer_class) -> ValuesPlan:
    if serializer_class not in _PLANS:
        _PLANS[serializer_class] = ValuesPlan(serializer_class)
    return _PLANS[serializer_class]

"""Serializer building blocks: brief nested representations and model validation.

Every resource serializer names its writable fields explicitly (never `__all__`), lists
`brief_fields` for its nested form, and runs the model's own validation (`full_clean`), so
the API, the admin and the forms agree on what is valid.
"""

import datetime
import functools

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from rest_framework import serializers

from core.access import restrict

SOURCE_FIELDS = ("source_document", "source_reference", "source_url")
PERIOD_FIELDS = ("effective_from", "effective_to")
READ_ONLY = ("id", "url", "display", "revision")
# Tables joined into one list query. Past about a dozen PostgreSQL hands join planning to its
# genetic optimiser, and planning a many-table join costs more than running it; four keeps the
# whole query cheap (the measurements: bench/results.md, "Measured while designing"). The
# rest are prefetched (serializer path) or side lookups (fast path, api/fastpath.py): a constant number of extra
# queries, not one per row.
JOIN_BUDGET = 4


def related(view_name: str, model, **kwargs) -> "BriefRelatedField":
    """A brief foreign key to `model`, whose records are at `view_name`."""
    return BriefRelatedField(view_name=view_name, queryset=model._default_manager.all(), **kwargs)


class BriefRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key: written as an id, read as `{id, url, display}`.

    The choices are restricted to what the requesting user may see, so an id from another
    partnership is answered like an id that does not exist.
    """

    default_error_messages = {
        "does_not_exist": "No such object ({pk_value}), or not one you can see.",
        "incorrect_type": "Give the id as a number, not {data_type}.",
    }

    def __init__(self, view_name: str | None = None, **kwargs):
        self.view_name = view_name
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return restrict(queryset, request.user, "view")

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not data.strip().isdigit()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            if int(data) > 2**63 - 1 or int(data) < 1:
                self.fail("does_not_exist", pk_value=data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)

    def to_representation(self, value):
        request = self.context.get("request")
        url = None
        if self.view_name and request is not None:
            url = request.build_absolute_uri(reverse(self.view_name, kwargs={"pk": value.pk}))
        return {"id": value.pk, "url": url, "display": str(value)}


class StrictJSONTypeMixin:
    """A JSON value of the type the schema promises: `0` is not text, `"true"` is not a boolean."""

    json_types: tuple[type, ...] = ()

    def to_internal_value(self, data):
        integral_float = isinstance(data, float) and int in self.json_types and data.is_integer()
        if not integral_float and (
            not isinstance(data, self.json_types) or (isinstance(data, bool) and bool not in self.json_types)
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


STRICT_JSON_TYPES = {
    serializers.CharField: (str,),
    serializers.BooleanField: (bool,),
    serializers.IntegerField: (int,),
}
_strict_classes: dict[type, type] = {}


def strict_field_class(field_class: type) -> type:
    for base, json_types in STRICT_JSON_TYPES.items():
        if issubclass(field_class, base):
            if field_class not in _strict_classes:
                _strict_classes[field_class] = type(
                    field_class.__name__, (StrictJSONTypeMixin, field_class), {"json_types": json_types}
                )
            return _strict_classes[field_class]
    return field_class


class DateTimeField(serializers.DateTimeField):
    """ISO 8601 in local time, or in UTC where the local offset is not whole minutes (London's
    mean time before 1847), which RFC 3339 cannot write."""

    def to_representation(self, value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            offset = self.enforce_timezone(value).utcoffset()
            if offset is not None and offset.total_seconds() % 60:
                return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        return super().to_representation(value)


class RegistrySerializer(serializers.ModelSerializer):
    """Base for every resource: url, display, revision; model validation on every write."""

    url = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()
    revision = serializers.IntegerField(read_only=True)

    # Fields a client may set only when creating (e.g. the partnership a record belongs to).
    create_only_fields: tuple[str, ...] = ()
    brief_fields: tuple[str, ...] = ("id", "url", "display")
    detail_view_name: str = ""

    serializer_related_field = BriefRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }

    def get_url(self, obj) -> str | None:
        request = self.context.get("request")
        if not self.detail_view_name or request is None:
            return None
        return request.build_absolute_uri(reverse(self.detail_view_name, kwargs={"pk": obj.pk}))

    def get_display(self, obj) -> str:
        return str(obj)

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        return strict_field_class(field_class), field_kwargs

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | models.QuerySet):
            for name in self.create_only_fields:
                if name in fields:
                    fields[name].read_only = True
        if self.context.get("brief"):
            return {name: field for name, field in fields.items() if name in self.brief_fields}
        return fields

    def to_internal_value(self, data):
        # A create-only field on an update is refused by name, not silently ignored; echoing the
        # stored value back (a PUT of what GET returned) is not a change and passes.
        if self.instance is not None and isinstance(data, dict):
            changed = [
                name
                for name in self.create_only_fields
                if name in data and name in self.fields and not self._is_stored_value(name, data[name])
            ]
            if changed:
                raise serializers.ValidationError(
                    {
                        name: ["This is set when the record is created and cannot be changed."]
                        for name in changed
                    }
                )
        return super().to_internal_value(data)

    def _is_stored_value(self, name: str, value) -> bool:
        field = self.fields[name]
        stored = field.get_attribute(self.instance)
        if isinstance(field, serializers.RelatedField):
            value = value.get("id") if isinstance(value, dict) else value
            return value is None if stored is None else str(value) == str(stored.pk)
        return value == (field.to_representation(stored) if stored is not None else None)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is not None:
            candidate = model(
                **{f.attname: getattr(self.instance, f.attname) for f in model._meta.concrete_fields}
            )
            candidate._state.adding = False
        else:
            candidate = model()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        # Read-only fields still empty are the server's to fill when saving (a version number):
        # "cannot be null" on them is not the client's mistake.
        server_filled = {
            f.name
            for f in model._meta.concrete_fields
            if not f.generated
            and f.name in self.fields
            and self.fields[f.name].read_only
            and getattr(candidate, f.attname) is None
        }
        # full_clean's steps, with the server-filled fields skipped only where they are still
        # empty: clean() may fill them (a risk's partnership from its register), and the
        # constraints that involve them must then still be checked (a duplicate is a 400, not a 409).
        errors: dict = {}
        for step, args in (
            ("clean_fields", {"exclude": server_filled}),
            ("clean", {}),
            ("validate_unique", None),
            ("validate_constraints", None),
        ):
            try:
                getattr(candidate, step)(**(args if args is not None else {"exclude": set(errors)}))
            except DjangoValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            detail = _drf_detail(DjangoValidationError(errors))
            for name in server_filled:
                if getattr(candidate, model._meta.get_field(name).attname) is None:
                    detail.pop(name, None)
            if detail:
                raise serializers.ValidationError(detail) from None
        return attrs


def _drf_detail(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        detail = {}
        for name, errors in error.message_dict.items():
            detail["non_field_errors" if name == "__all__" else name] = errors
        return detail
    return {"non_field_errors": error.messages}


@functools.cache
def prefetches_for(serializer_class) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The select_related and prefetch_related paths a serializer's fields need, joining at most
    JOIN_BUDGET tables (the rest prefetched).

    Derived from the serializer, so a field added later is prefetched without tuning the view.
    """
    select, prefetch = [], []
    serializer = serializer_class()

    def walk(fields, prefix: str, in_prefetch: bool):
        for field in fields.values():
            if field.write_only or field.source == "*":
                continue
            source = field.source.replace(".", "__")
            if isinstance(field, serializers.RelatedField):
                (prefetch if in_prefetch else select).append(prefix + source)
            elif isinstance(field, serializers.ListSerializer):
                prefetch.append(prefix + source)
                walk(field.child.fields, f"{prefix}{source}__", True)
            elif isinstance(field, serializers.ManyRelatedField):
                prefetch.append(prefix + source)
            elif isinstance(field, serializers.Serializer):
                (prefetch if in_prefetch else select).append(prefix + source)
                walk(field.fields, f"{prefix}{source}__", in_prefetch)

    walk(serializer.fields, "", False)
    extra = getattr(serializer_class.Meta, "select_related", ())
    return joins_within_budget((*select, *extra), tuple(prefetch))


def joins_within_budget(select: tuple[str, ...], prefetch: tuple[str, ...]) -> tuple[tuple, tuple]:
    """Split select_related paths: the shallowest join until JOIN_BUDGET tables, the rest prefetched."""
    joined: set[str] = set()
    kept, moved = [], []
    for path in sorted(select, key=lambda p: p.count("__")):
        parts = path.split("__")
        needed = {"__".join(parts[: n + 1]) for n in range(len(parts))} - joined
        if len(joined) + len(needed) <= JOIN_BUDGET and not any(
            m == path or path.startswith(m + "__") for m in moved
        ):
            joined |= needed
            kept.append(path)
        else:
            moved.append(path)
    return tuple(kept), (*moved, *prefetch)

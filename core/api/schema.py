"""What every resource's OpenAPI operations say beyond their serializers.

The conventions of `RegistryViewSet` are the same for every resource, so they are documented
here once: the If-Match header on writes and the ETag it answers with, `?brief=`, the error
responses (400 with field messages, 401, 403, 404, 409, 412, 428, 429 with Retry-After) and a description
per action.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS

from core.api.permissions import AccountOrPublicRead
from core.publication import is_public_kind

NO_NUL = "^[^\\u0000]*$"
RELATED = {
    "type": "object",
    "description": "A related record: written as its id, read as its id, API URL and display name.",
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string", "format": "uri", "nullable": True},
        "display": {"type": "string"},
    },
    "required": ["id", "url", "display"],
}
ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Messages by field name (`non_field_errors` for the record as a whole, `detail` when the "
        "request itself could not be read); a list field's messages are keyed by position."
    ),
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {}},
            {"type": "string"},
        ]
    },
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: unknown filter, malformed value or a rule the record breaks.",
    "401": "No valid API token or session.",
    "403": "You may read this but not change it, or not add records here.",
    "404": "No such record, or not one you can see.",
    "409": "The change conflicts with other records (a database rule such as no overlapping periods).",
    "412": "If-Match does not match the record's current ETag: someone else changed it.",
    "428": "Writes need the record's ETag in an If-Match header.",
    "429": (
        "Too many requests: failed token authentications from this address or key prefix, or reads "
        "without an account over the public rate. Wait the Retry-After seconds."
    ),
}
ACTION_DESCRIPTIONS = {
    "list": "The {plural} you may see, filtered, ordered and paginated.",
    "create": "Create one {name}; the answer carries the new record and its ETag.",
    "retrieve": "This {name}, with its ETag.",
    "update": "Replace this {name}'s writable fields; send its ETag in If-Match.",
    "partial_update": "Change some of this {name}'s fields; send its ETag in If-Match.",
    "destroy": "Delete this {name}; send its ETag in If-Match.",
}
# Actions that answer with one record and its ETag.
ETAG_ACTIONS = {"retrieve", "create", "update", "partial_update", "approve", "new_version"}


class RegistryAutoSchema(AutoSchema):
    def _action(self) -> str | None:
        return getattr(self.view, "action", None)

    def _needs_if_match(self) -> bool:
        return self._action() in getattr(self.view, "if_match_actions", ())

    def is_excluded(self) -> bool:
        return self.method == "DELETE" and not getattr(self.view, "deletable", True)

    def get_auth(self):
        """Reading the kinds of record that may be public needs no credentials (the public
        records only: core/api/permissions.py); the schema says so with an empty requirement."""
        auths = super().get_auth()
        queryset = getattr(self.view, "queryset", None)
        perms = {type(permission) for permission in self.view.get_permissions()}
        if (
            AccountOrPublicRead in perms
            and self.method in SAFE_METHODS
            and queryset is not None
            and is_public_kind(queryset.model)
        ):
            auths.append({})
        return auths

    def get_description(self) -> str:
        template = ACTION_DESCRIPTIONS.get(self._action())
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        if template is None or model is None:
            return super().get_description()
        meta = model._meta
        return template.format(name=meta.verbose_name, plural=meta.verbose_name_plural)

    def _postprocess_serializer_schema(self, schema, serializer, direction):
        schema = super()._postprocess_serializer_schema(schema, serializer, direction)
        if not type(serializer).__doc__:
            schema.pop("description", None)  # not RegistrySerializer's docstring in every component
        brief_fields = getattr(serializer, "brief_fields", None)
        if direction == "response" and brief_fields and "required" in schema:
            # With ?brief=1 only the brief fields are sent; the others are present otherwise.
            schema["required"] = [name for name in schema["required"] if name in brief_fields]
        return schema

    def _get_filter_parameters(self):
        parameters = allow_empty(super()._get_filter_parameters())
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
                schema["pattern"] = NO_NUL  # the database cannot compare text with NUL in it
        return parameters

    def _get_pagination_parameters(self):
        return allow_empty(super()._get_pagination_parameters())

    def _get_parameters(self):
        parameters = super()._get_parameters()
        allow_empty(parameter for parameter in parameters if parameter["name"] == "brief")
        return parameters

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET" and hasattr(self.view, "brief_requested") and self._action() != "history":
            parameters.append(
                OpenApiParameter(
                    "brief", OpenApiTypes.BOOL, description="Brief representations (id, url, display…)."
                )
            )
        if self._needs_if_match():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    location=OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag from your last read of the record (or `*`).",
                )
            )
        if self._action() in ETAG_ACTIONS:
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    location=OpenApiParameter.HEADER,
                    response=[200, 201],
                    required=True,
                    description="The record's revision; send it back in If-Match to change it.",
                )
            )
        return parameters

    def get_response_serializers(self):
        if self._action() == "export":
            # The whole filtered list, as rows of the resource's own representation.
            return {
                (200, "application/json"): self._get_serializer().__class__(many=True),
                (200, "text/csv"): OpenApiTypes.STR,
            }
        return super().get_response_serializers()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if "201" in responses and hasattr(self.view, "written"):
            responses["201"].setdefault("headers", {})["Location"] = {
                "schema": {"type": "string", "format": "uri"},
                "description": "The new record's URL.",
                "required": True,
            }
        codes = ["400", "401", "429"]
        if "{" in self.path:
            codes.append("404")
        if self.method != "GET":
            codes += ["403", "409"]
        if self._needs_if_match():
            codes += ["412", "428"]
        for code in sorted(codes):
            if code == "400":
                schema = self._component("ValidationError", VALIDATION_ERROR)
            else:
                schema = self._component("Error", ERROR)
            response = self._get_response_for_code(schema, code, direction=direction)
            for media_type, content in response["content"].items():
                if "json" not in media_type:  # exports render errors as CSV text
                    content["schema"] = {"type": "string"}
            response["description"] = ERROR_DESCRIPTIONS[code]
            if code == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer", "minimum": 1},
                        "description": "Seconds to wait before trying again.",
                        "required": True,
                    }
                }
            responses.setdefault(code, response)
        return responses

    def _component(self, name: str, schema: dict) -> dict:
        return register_component(self, name, schema)


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "core.api.serializers.BriefRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        return register_component(auto_schema, "RelatedRecord", RELATED)


def allow_empty(parameters):
    """Filters, paging and ?brief= treat an empty value as not given (as HTML filter forms send them)."""
    parameters = list(parameters)
    for parameter in parameters:
        parameter["allowEmptyValue"] = True
    return parameters


def register_component(auto_schema, name: str, schema: dict) -> dict:
    component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
    auto_schema.registry.register_on_missing(component)
    return component.ref

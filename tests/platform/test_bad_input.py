"""Hostile bodies on every write: a 4xx with a reason, never a 5xx, and nothing written.

The API's write operations come from the router, as in the cross-tenant matrix (its builders make
the records): every viewset's create, update and partial update, and every extra action that is
not a read. A route added later is covered without anyone adding it here. The fields each
operation reads come from the OpenAPI schema the code generates. The user is an administrator, so
requests get past permissions and reach parsing and validation.

Staff pages under /edit/ get the form-encoded equivalents (tests/platform/test_edit_access.py's matrix).
"""

import json
import re
from functools import cache

import pghistory.models
import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from drf_spectacular.settings import spectacular_settings

from stp_governance.api.urls import router
from tests import factories
from tests.platform.conftest import client_for, user_with_role
from tests.platform.test_cross_tenant import BUILDERS, SHARED_BUILDERS
from tests.platform.test_edit_access import EDIT_PAGES

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024
READS = {"get", "head", "options", "delete"}  # DELETE reads no body
UNKNOWN = {"no_such_field": {"nested": [1, 2, 3]}, "__proto__": {"admin": True}}


def write_operations():
    """(basename, url name, method, detail) for every write the router serves."""
    for _prefix, viewset, basename in router.registry:
        basename = basename or router.get_default_basename(viewset)
        methods = set(viewset.http_method_names)
        if hasattr(viewset, "create") and "post" in methods:
            yield basename, "list", "post", False
        if hasattr(viewset, "update"):
            yield from ((basename, "detail", m, True) for m in ("put", "patch") if m in methods)
        for extra in viewset.get_extra_actions():
            for method in set(extra.mapping) - READS:
                yield basename, extra.url_name, method, extra.detail


OPERATIONS = sorted(set(write_operations()))
VIEWSETS = {
    (basename or router.get_default_basename(viewset)): viewset for _, viewset, basename in router.registry
}


@cache
def schema() -> dict:
    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS(urlconf=None, api_version=None)
    return generator.get_schema(request=None, public=True)


def request_fields(url: str, method: str) -> dict[str, dict] | None:
    """The operation's JSON request properties from the schema; None when it takes no body."""
    paths = schema()["paths"]
    # "/meetings/plan-cycle/" before "/meetings/{id}/": fewest parameters first.
    for template in sorted(paths, key=lambda t: t.count("{")):
        if (
            re.fullmatch(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)), url)
            and method in paths[template]
        ):
            body = paths[template][method].get("requestBody")
            if body is None:
                return None
            ref = body["content"]["application/json"]["schema"]["$ref"]
            return schema()["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("properties", {})
    raise AssertionError(f"{method.upper()} {url} is not in the generated schema")


def wrong_type(prop: dict):
    """A value of the wrong JSON type for the property, or None where any type is accepted."""
    kind = prop.get("type")
    if kind == "string":
        return {"not": "a string"}
    if kind in ("integer", "number"):
        return "not a number"
    if kind == "boolean":
        return "perhaps"
    if kind == "array":
        return "not a list"
    if kind == "object":
        return "not an object"
    if "$ref" in prop or "allOf" in prop or "oneOf" in prop:  # enums and nested records
        return {"not": "a choice"}
    return None


def raw(text: str | bytes, content_type="application/json"):
    return content_type, text.encode() if isinstance(text, str) else text


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def every_field(fields: dict, value) -> tuple[str, bytes]:
    return raw(json.dumps({**dict.fromkeys(fields, value), **UNKNOWN}))


def hostile_bodies(fields: dict, method: str, ignored=()) -> dict[str, tuple[str, bytes]]:
    """Name -> (content type, body). Each must be refused whatever the operation.

    `ignored`: fields an update leaves alone (set only on creation), so one alone is no error."""
    bodies = {
        "oversized (10 MB)": raw('{"name": "' + "x" * TEN_MB + '"}'),
        "nested 5,000 arrays deep": raw("[" * 5000 + "]" * 5000),
        "nested 5,000 objects deep": raw('{"a":' * 5000 + "1" + "}" * 5000),
        "nested 40 deep in every field": raw(json.dumps(dict.fromkeys(fields, nested(40)))),
        "invalid UTF-8": raw(b'{"name": "\xff\xfe\xc3\x28"}'),
        "truncated": raw('{"name": "unfinished'),
        "plain text": raw('{"name": "x"}', "text/plain"),
        "a form": raw("name=x&reason=y", "application/x-www-form-urlencoded"),
        "multipart": raw(
            b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
        "XML": raw("<name>x</name>", "application/xml"),
        "a list": raw("[]"),
        "a list of an object": raw("[{}]"),
        "a string": raw('"x"'),
        "null": raw("null"),
        "NaN": raw('{"name": NaN}'),
        "5,000-digit number": raw('{"name": 1' + "0" * 5000 + "}"),
        "1e999": raw('{"name": 1e999}'),
        "every field a 400-digit number": every_field(fields, 10**400),
        "every field a NUL byte": every_field(fields, "a\u0000b"),
        "every field a lone surrogate": every_field(fields, "\ud800"),
        "every field 200,000 characters": every_field(fields, "x" * 200_000),
        "every field an object": every_field(fields, {"a": 1}),
        "every field a list": every_field(fields, [1, "two", None]),
        "every field true": every_field(fields, True),
        "every field -1": every_field(fields, -1),
        "unknown fields and wrong types": raw(
            json.dumps(
                {**{n: wrong_type(p) for n, p in fields.items() if wrong_type(p) is not None}, **UNKNOWN}
            )
        ),
    }
    if method == "patch":  # one field at a time: the rest of the record stays valid
        for name, prop in fields.items():
            if prop.get("readOnly") or name in ignored:
                continue
            values = {"wrong type": wrong_type(prop)}
            if prop.get("type") == "string":
                values["NUL byte"] = "a\u0000b"
            if prop.get("type") == "integer":
                values |= {"400-digit number": 10**400, "-2**63-1": -(2**63) - 1}
            for label, value in values.items():
                if value is not None:
                    bodies[f"{name}: {label}"] = raw(json.dumps({name: value}))
    return bodies


def database_state(record) -> tuple:
    """Every tracked table's history (each insert, update and delete leaves an event), and the record."""
    events = pghistory.models.Events.objects.count()
    if record is None:
        return (events,)
    fresh = type(record).objects.get(pk=record.pk)
    return events, model_to_dict(fresh), getattr(fresh, "revision", None)


@pytest.mark.parametrize(
    ("basename", "url_name", "method", "detail"),
    OPERATIONS,
    ids=[f"{method.upper()} {basename}-{url_name}" for basename, url_name, method, _ in OPERATIONS],
)
def test_hostile_bodies_are_refused_with_a_4xx_and_write_nothing(
    basename, url_name, method, detail, partnership_a
):
    model = VIEWSETS[basename].queryset.model
    record = {**BUILDERS, **SHARED_BUILDERS}[model](partnership_a) if detail else None
    url = reverse(f"api:{basename}-{url_name}", args=[record.pk] if detail else [])
    fields = request_fields(url, method)
    if fields is None:
        pytest.skip("takes no body: nothing in it is read")
    api = client_for(factories.UserFactory(is_superuser=True))
    # Some writes are refused to everyone before any body is read (ratifications are created by
    # recording a decision): the corpus must still be refused, but with that refusal.
    reads_body = getattr(api, method)(url, {}, format="json", HTTP_IF_MATCH="*").status_code != 403
    before = database_state(record)

    answers = {}
    ignored = getattr(VIEWSETS[basename].serializer_class, "create_only_fields", ())
    for name, (content_type, body) in hostile_bodies(fields, method, ignored).items():
        response = getattr(api, method)(url, body, content_type=content_type, HTTP_IF_MATCH="*")
        answers[name] = response.status_code
        assert response["Content-Type"].startswith("application/json"), (name, response["Content-Type"])
        assert response.json().keys() and "Traceback" not in response.content.decode(), name

    refused = {name: code for name, code in answers.items() if not 400 <= code < 500}
    assert not refused, f"not refused with a 4xx: {refused}"
    if reads_body:
        assert answers["oversized (10 MB)"] == 413
        assert answers["nested 5,000 arrays deep"] == 400
        assert answers["plain text"] == 415
    assert database_state(record) == before


def test_a_body_too_large_says_so_in_the_apis_error_shape(partnership_a):
    api = client_for(user_with_role(partnership_a, "secretariat"))

    response = api.post(
        reverse("api:body-list"), raw('{"name": "' + "x" * TEN_MB + '"}')[1], content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the 2.5 MB the API accepts."}


def test_json_nested_too_deep_is_a_parse_error(partnership_a):
    api = client_for(user_with_role(partnership_a, "secretariat"))

    response = api.post(reverse("api:body-list"), "[" * 5000 + "]" * 5000, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested more than 32 levels deep"}


def test_the_api_covers_every_router_write():
    """The matrix is generated: it holds the writes of every resource (a sanity check on the generator)."""
    names = {f"{method} {basename}-{url_name}" for basename, url_name, method, _ in OPERATIONS}
    assert {
        "post body-list",
        "patch body-detail",
        "put body-detail",
        "post termsofreference-approve",
    } <= names
    writable = [viewset for _, viewset, _ in router.registry if set(viewset.http_method_names) - READS]
    assert len({basename for basename, *_ in OPERATIONS}) == len(writable)


def test_no_api_view_outside_the_router_takes_a_body():
    """The matrix reads the router; a write view added beside it must join it (or this test)."""
    from stp_governance.api import urls

    writers = [
        pattern.name
        for pattern in urls.urlpatterns
        if hasattr(pattern, "callback") and hasattr(pattern.callback, "cls")
        for method in ("post", "put", "patch")
        if hasattr(pattern.callback.cls, method)
    ]
    assert not writers, f"Cover {writers} in the bad-input matrix."


# -- staff pages -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(EDIT_PAGES))
def test_hostile_form_posts_to_editing_pages_are_refused_and_write_nothing(name, client, ours):
    record = EDIT_PAGES[name](ours)
    client.force_login(user_with_role(ours, "secretariat"))
    url = reverse(name, args=[record.pk])
    opened = client.get(url)
    form = opened.context.get("form") if opened.context else None
    if form is None or not form.fields:
        pytest.skip("no form on the page: a POST carries nothing it reads (a list, a one-click action)")
    fields = [bound.html_name for bound in form]
    before = database_state(record)
    form_type = "application/x-www-form-urlencoded"
    bodies = {
        "oversized (10 MB)": raw("name=" + "x" * TEN_MB, form_type),
        "invalid UTF-8": raw(b"&".join(f.encode() + b"=%ff%fe%c3%28" for f in fields), form_type),
        "every field a NUL byte": raw("&".join(f"{f}=a%00b" for f in fields), form_type),
        "every field 200,000 characters": raw("&".join(f"{f}={'x' * 200_000}" for f in fields), form_type),
        "JSON": raw(json.dumps(dict.fromkeys(fields, "x"))),
    }

    answers = {}
    for label, (content_type, body) in bodies.items():
        response = client.generic("POST", url, body, content_type=content_type)
        answers[label] = response.status_code

    refused = {label: code for label, code in answers.items() if not 400 <= code < 500}
    assert not refused, f"not refused with a 4xx: {refused}"
    assert answers["oversized (10 MB)"] == 413
    assert database_state(record) == before


def test_a_form_too_large_answers_a_page_that_says_so(client, ours):
    client.force_login(user_with_role(ours, "secretariat"))

    response = client.generic(
        "POST",
        reverse("edit-body-create", args=[ours.pk]),
        "name=" + "x" * TEN_MB,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "What you sent is too large" in page and "up to 2.5 MB" in page
    assert "nhsuk-header" in page

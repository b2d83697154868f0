"""The API's contract: the committed OpenAPI schema, its docs pages, and schemathesis against it.

- docs/openapi.yaml is what `make schema` writes; a change to the API that is not reflected
  there fails here, so the schema in the repository is always the one the code serves.
- Swagger UI and Redoc are served from the vendored sidecar assets, with no CDN, and work under
  the site's Content-Security-Policy (nonces, no 'unsafe-inline').
- schemathesis runs every check on every operation of the live schema, in-process through the
  WSGI app, as a secretariat of one seed partnership with an API token.
"""

import difflib
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import resolve, reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.validation import validate_schema

from bodies.models import Partnership
from core.access import grant_role, restrict
from core.api.serializers import BriefRelatedField
from core.tokens import api_token_issue
from tests.factories import UserFactory

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


# -- the committed schema ------------------------------------------------------------------


def generate_schema_text() -> str:
    """What `manage.py spectacular --validate --fail-on-warn` writes (the `make schema` target)."""
    GENERATOR_STATS.reset()
    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS(urlconf=None, api_version=None)
    schema = generator.get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned while generating the schema: run `make schema` to see"
    validate_schema(schema)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


def test_the_committed_schema_is_the_one_the_code_serves():
    generated = generate_schema_text()
    committed = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
    if generated != committed:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    "docs/openapi.yaml (committed)",
                    "generated from the code",
                )
            )[:60]
        )
        pytest.fail(
            f"docs/openapi.yaml is out of date with the API: run `make schema` and commit the result.\n{diff}"
        )


# -- the docs pages ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["api:docs", "api:redoc"])
def test_the_docs_pages_use_vendored_assets_under_the_csp(client, page):
    client.force_login(UserFactory())

    response = client.get(reverse(page))

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    own = "http://testserver/"
    external = [url for url in references if re.match(r"(?i)(https?:)?//", url) and not url.startswith(own)]
    assert not external, f"the page loads assets from elsewhere: {external}"
    static = [urlsplit(url).path for url in references if urlsplit(url).path.startswith(settings.STATIC_URL)]
    assert static, "the page references no vendored assets"
    for path in static:
        assert finders.find(path.removeprefix(settings.STATIC_URL)), f"{path} is not a static file"

    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    inline = [attrs for tag, attrs in re.findall(r"<(script|style)\b([^>]*)>", html) if "src=" not in attrs]
    assert inline, "expected the page's inline style"
    for attrs in inline:
        assert f'nonce="{nonce}"' in attrs, f"inline <script>/<style> without the request's nonce: {attrs!r}"
    if page == "api:redoc":
        # Redoc puts the nonce it is given on the styles it injects.
        assert f'const nonce = "{nonce}";' in html and "nonce: nonce" in html


# -- schemathesis ------------------------------------------------------------------------------

# Every check schemathesis has (all are on by default; max_response_time needs a limit) on every
# operation, through the examples and fuzzing phases (5 cases each, the same ones every run).
# The coverage phase (boundary and malformed values for each parameter, a missing If-Match,
# undeclared methods) sends dozens of requests per parameter, more than the time budget allows
# for every list's filters: it runs on DELETE, history and approve, which between them carry
# If-Match and probe the undeclared methods of every record's URL. A missing If-Match is
# answered 428 Precondition Required (RFC 6585), which the missing-header check is told.
CONFIG = """
[generation]
max-examples = 5
deterministic = true
with-security-parameters = false

[auth.openapi.tokenAuth]
bearer = "{key}"

[checks]
max_response_time = 5

[checks.missing_required_header]
expected-statuses = ["400", "401", "403", "406", "415", "422", "428"]

# Malformed data sent with a malformed If-Match may be answered 412: preconditions are evaluated
# before the request content is processed (RFC 9110 13.2.2), so a stale or garbage tag wins.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "406", "412", "415", "422", "428"]

[phases.coverage]
enabled = false

[[operations]]
include-method = "DELETE"
phases.coverage.enabled = true

[[operations]]
include-path-regex = "/(history|approve)/$"
phases.coverage.enabled = true

# A write that is well-formed can still break a rule no JSON Schema can state (a period that
# ends before it starts, a body related to itself): that is a 400 with field messages.
[[operations]]
include-method = ["POST", "PUT", "PATCH"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
"""


@pytest.fixture(autouse=True)
def unthrottled_failures(settings):
    """schemathesis sends bad credentials to every operation and expects 401 each time; throttling
    them is tested in test_auth_throttling.py."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "auth_failure_address": "1000000/day",
        "auth_failure_key_prefix": "1000000/day",
    }


@pytest.fixture
def secretariat(db):
    user = UserFactory(username="schemathesis")
    partnership = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    grant_role(user=user, partnership=partnership, role="secretariat")
    _, key = api_token_issue(name="schemathesis", user=user, partnership=partnership, read_only=False)
    return user, key


@pytest.fixture
def wsgi_app(db):
    # As Django's test client does: requests run inside the test's transaction, so the
    # connection must outlive them.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, secretariat, request):
    # schemathesis 4.32 renames the pytest node per operation through `_nodeid`, which pytest 9
    # no longer has as an attribute.
    request.node._nodeid = request.node.nodeid
    _, key = secretariat
    config = schemathesis.Config.from_str(CONFIG.replace("{key}", key))
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app, config=config)


api = schemathesis.pytest.from_fixture("api_schema")


@api.parametrize()
def test_the_api_keeps_its_contract(case, secretariat):
    if case.meta.generation.mode.is_positive:
        as_a_client_would(case, secretariat[0])
    case.call_and_validate()


def as_a_client_would(case, user) -> None:
    """Valid requests as a client that read the registry first would send them.

    A schema says an id is an integer, not which records exist: ids of related records are
    replaced by ones the user may use, and If-Match by `*`. Invalid requests are left alone.
    """
    if case.headers and "If-Match" in case.headers:
        case.headers["If-Match"] = "*"
    if isinstance(case.body, dict):
        for name, ids in related_ids(case.operation.path, user).items():
            value = case.body.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and ids:
                case.body[name] = ids[value % len(ids)]


_related_fields: dict[str, dict] = {}


def related_ids(path: str, user) -> dict[str, list[int]]:
    if path not in _related_fields:
        view = getattr(resolve(path.replace("{id}", "1")).func, "cls", None)
        serializer_class = getattr(view, "serializer_class", None)
        fields = serializer_class().fields if serializer_class else {}
        _related_fields[path] = {
            name: field.queryset.model
            for name, field in fields.items()
            if isinstance(field, BriefRelatedField) and not field.read_only
        }
    result = {}
    for name, model in _related_fields[path].items():
        queryset = model._default_manager.order_by("pk")
        ids = list(restrict(queryset, user, "change").values_list("pk", flat=True)[:50])
        result[name] = ids or list(restrict(queryset, user, "view").values_list("pk", flat=True)[:50])
    return result

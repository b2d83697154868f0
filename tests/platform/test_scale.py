"""The registry at scale, in miniature: the generated dataset (size "tiny") and the read paths
that must not grow with it.

Given the generated registry beside the seed partnerships, every API list endpoint issues the
same queries at limit 10 and 100, every detail endpoint the same for its record with the
fewest and the most related rows (under django-zeal, tests/conftest.py: an N+1 raises), keyset
pages walk the same rows as offset pages, and a large table's count is estimated, never
counted.
"""

import csv
import io

import orjson
import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.suite import flat, related_extremes
from bench.synthetic import SIZES, generate
from bodies.models import Partnership
from core import counting
from decisions.models import Decision, Ratification
from delegation.models import Delegation
from risks.models import Risk
from stp_governance.api.urls import router

pytestmark = pytest.mark.django_db

ROUTES = [(prefix, viewset) for prefix, viewset, _ in router.registry]


@pytest.fixture
def registry():
    return generate(SIZES["tiny"], out=None)


@pytest.fixture
def administrator_client(client, django_user_model):
    user = django_user_model.objects.create(username="scale-admin", is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return [q["sql"] for q in captured.captured_queries]


def test_the_generator_writes_the_shape_it_promises(registry):
    size = SIZES["tiny"]
    assert registry["bodies_partnership"] == size.partnerships
    assert registry["bodies_body"] == size.bodies
    # Partnership 0 holds the large scheme; the others a chain of five per matter.
    assert registry["delegation_delegation"] == 5 * (
        size.large_scheme_matters + (size.partnerships - 1) * size.matters_per_partnership
    )
    live_bodies = size.partnerships * (size.bodies_per_partnership - 1)
    assert registry["decisions_decision"] == live_bodies * size.meetings_per_body * size.decisions_per_meeting
    assert registry["risks_risk"] == live_bodies * size.risks_per_register
    assert Ratification.objects.exists()
    # Every generated row has its history: the triggers fired on COPY.
    events = apps.get_model("decisions", "DecisionEvent")
    assert events.objects.filter(pgh_label="insert").count() >= Decision.objects.count()


def test_the_generator_is_deterministic(registry):
    first = list(
        Delegation.objects.filter(partnership__slug="partnership-0")
        .order_by("id")
        .values_list("matter__slug", "delegate__slug", "power")[:40]
    )
    assert first[0] == ("matter-0", "body-0", "approve")
    assert (
        Partnership.objects.filter(slug="partnership-0").get().matters.count()
        == SIZES["tiny"].large_scheme_matters
    )


# Background exports are requested by users; the generator makes none (their query counts with
# rows are covered in tests/jobs and the API conventions' per-endpoint test).
NOT_REGISTRY_DATA = {"exports"}


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[prefix for prefix, _ in ROUTES])
def test_query_counts_do_not_grow_with_rows(registry, administrator_client, prefix, viewset):
    base = f"/api/v1/{prefix}/"
    administrator_client.get(f"{base}?limit=10")  # per-process caches (table size estimates)
    few = queries(administrator_client, f"{base}?limit=10")
    many = queries(administrator_client, f"{base}?limit=100")
    # The same queries, or more only where a prefetch had nothing to fetch among ten rows (no query
    # for an empty IN); never one shape twice (that is a query per row).
    assert flat(few, many), (few, many)
    if prefix in NOT_REGISTRY_DATA:
        return  # per-user work records, not generated; their list is still checked above
    extremes = related_extremes(viewset.queryset.model)
    assert extremes is not None, f"the generated registry has no {prefix}"
    (low, _), (high, _) = extremes
    one = queries(administrator_client, f"{base}{low}/")
    other = queries(administrator_client, f"{base}{high}/")
    assert flat(one, other) or flat(other, one), (one, other)


@pytest.mark.parametrize("prefix", ["decisions", "risks", "people", "meetings"])
def test_cursor_pages_walk_the_same_rows_as_offset_pages(registry, administrator_client, prefix):
    offset_ids, url = [], f"/api/v1/{prefix}/?limit=7"
    while url and len(offset_ids) < 60:
        page = orjson.loads(administrator_client.get(url).content)
        offset_ids += [row["id"] for row in page["results"]]
        url = page["next"]
    cursor_ids, pages, url = [], [], f"/api/v1/{prefix}/?limit=7&cursor="
    while url and len(cursor_ids) < 60:
        page = orjson.loads(administrator_client.get(url).content)
        pages.append(page)
        cursor_ids += [row["id"] for row in page["results"]]
        url = page["next"]
    assert cursor_ids == offset_ids
    # And back: the previous link of the third page is the second page.
    back = orjson.loads(administrator_client.get(pages[2]["previous"]).content)
    assert [row["id"] for row in back["results"]] == [row["id"] for row in pages[1]["results"]]


def test_a_malformed_cursor_is_a_400(registry, administrator_client):
    for token in ("nonsense", "eyJiIjpmYWxzZSwidiI6WzFdfQ"):  # garbage; a cursor of the wrong width
        response = administrator_client.get(f"/api/v1/decisions/?cursor={token}")
        assert response.status_code == 400
        assert "cursor" in orjson.loads(response.content)


def test_a_large_tables_count_is_estimated_and_next_stays_exact(registry, administrator_client, monkeypatch):
    monkeypatch.setattr(counting, "LARGE_TABLE", -10)  # every table counts as large
    total = Risk.objects.count()
    with CaptureQueriesContext(connection) as captured:
        response = administrator_client.get(f"/api/v1/risks/?limit=5&offset={total - 5}")
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    page = orjson.loads(response.content)
    assert page["next"] is None  # the last page: exact, from the extra row not found
    assert page["count"] == total  # and the end is on this page: the count is exact too
    response = administrator_client.get("/api/v1/risks/?limit=5")
    assert response["X-Total-Count-Estimated"] == "true"
    assert orjson.loads(response.content)["next"] is not None


def test_the_csv_export_streams_every_row_in_chunks(registry, administrator_client):
    response = administrator_client.get("/api/v1/organisations/export/?format=csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    listed = orjson.loads(administrator_client.get("/api/v1/organisations/?limit=1000").content)
    assert len(rows) == listed["count"]
    first = listed["results"][0]
    assert rows[0]["id"] == str(first["id"]) and rows[0]["name"] == first["name"]

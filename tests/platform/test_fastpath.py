"""The fast list path renders exactly what the serializer would, for every endpoint that uses it."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request

from stp_governance.api.fastpath import plan_for
from stp_governance.api.urls import router
from tests import factories
from tests.platform.conftest import client_for
from tests.platform.test_cross_tenant import BUILDERS, SHARED_BUILDERS

pytestmark = pytest.mark.django_db

FAST = [
    (prefix, viewset)
    for prefix, viewset, _ in router.registry
    if plan_for(viewset.serializer_class).supported
]


def test_the_hot_endpoints_use_the_fast_path():
    assert {prefix for prefix, _ in FAST} >= {"bodies", "organisations"}


@pytest.mark.parametrize(("prefix", "viewset"), FAST, ids=[p for p, _ in FAST])
def test_fast_rows_equal_serializer_rows(prefix, viewset):
    model = viewset.queryset.model
    build = {**BUILDERS, **SHARED_BUILDERS}[model]
    for _ in range(3):
        build(factories.PartnershipFactory())
    admin = factories.UserFactory(is_superuser=True)
    api = client_for(admin)
    basename = router.get_default_basename(viewset)

    fast = api.get(reverse(f"api:{basename}-list"), {"limit": 1000}).json()["results"]

    request = Request(RequestFactory().get("/"))
    request.user = admin
    serializer_class = viewset.serializer_class
    ordering = viewset.ordering
    instances = viewset.queryset.model._default_manager.order_by(*ordering)
    slow = [dict(serializer_class(obj, context={"request": request}).data) for obj in instances]
    assert fast == [_jsonish(row) for row in slow]


def _jsonish(row):
    import orjson

    from stp_governance.api.renderers import ORJSONRenderer

    return orjson.loads(ORJSONRenderer().render(row))


def test_a_page_past_the_end_still_counts_the_rows():
    api = client_for(factories.UserFactory(is_superuser=True))
    factories.BodyFactory()
    total = api.get(reverse("api:body-list"), {"limit": 1}).json()["count"]

    beyond = api.get(reverse("api:body-list"), {"limit": 5, "offset": total + 10}).json()

    assert (beyond["count"], beyond["results"]) == (total, [])

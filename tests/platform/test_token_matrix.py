"""Token-against-role matrix, generated from the API router like the cross-tenant matrix.

For every write route (create, update, partial update, delete and every POST/PUT/PATCH/DELETE
action of every routed resource), every role its account may hold on partnership A (secretariat,
member, viewer, none) and every kind of token (read-write on A, read-only on A, national
read-only): a token never does more than its account may do now. Only a read-write token of a
secretariat writes, and it gets exactly what the secretariat gets when signed in; every other
attempt is refused and writes nothing (no history event, the record unchanged). A route added
later is covered without anyone adding it here (test_cross_tenant.py fails without a builder).
"""

import pghistory.models
import pytest
from django.db import transaction
from django.urls import reverse

from core.tokens import api_token_issue
from tests import factories
from tests.platform.conftest import client_for, user_with_role
from tests.platform.test_cross_tenant import BUILDERS, ROUTES, SHARED_BUILDERS, router, snapshot

pytestmark = pytest.mark.django_db

ROLES = ("secretariat", "member", "viewer", None)
TOKEN_KINDS = ("read-write", "read-only", "national")
WRITE_METHODS = {"post", "put", "patch", "delete"}


def write_requests(viewset, basename, pk, payload):
    """(name, method, url, data) for every write route the viewset answers."""
    list_url = reverse(f"api:{basename}-list")
    detail_url = reverse(f"api:{basename}-detail", args=[pk])
    yield "create", "post", list_url, payload
    yield "update", "put", detail_url, payload
    yield "partial_update", "patch", detail_url, {}
    yield "destroy", "delete", detail_url, None
    for extra in viewset.get_extra_actions():
        for method in set(extra.mapping) & WRITE_METHODS:
            url = reverse(f"api:{basename}-{extra.url_name}", args=[pk] if extra.detail else [])
            yield extra.url_name, method, url, {}


class Undo(Exception):
    """Raised to roll a request's savepoint back, so each attempt starts from the same state."""


# POSTs that read: requesting an export reads the partnership (the file is made in the background).
READS = {("exports", "create")}


def contexts() -> int:
    """History contexts: every tracked write in a request attaches one (a single small table)."""
    return pghistory.models.Context.objects.count()


def state(record):
    model = type(record)
    fresh = model.objects.filter(pk=record.pk).first()
    return contexts(), model.objects.count(), fresh and snapshot(fresh)


def attempt(client, method, url, data, record):
    """The response status, and whether anything was written, with the request undone after."""
    outcome = {}
    try:
        with transaction.atomic():
            before = state(record)
            kwargs = {"format": "json", "HTTP_IF_MATCH": "*"}
            response = getattr(client, method)(url, data, **kwargs) if data is not None else None
            if response is None:
                response = getattr(client, method)(url, **kwargs)
            outcome["status"] = response.status_code
            outcome["written"] = before != state(record)
            raise Undo
    except Undo:
        pass
    return outcome["status"], outcome["written"]


def bearer(raw_key):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def token_clients(partnership):
    """(role, kind, client) for every role on `partnership` and every kind of token."""
    for role in ROLES:
        user = user_with_role(partnership, role) if role else factories.UserFactory()
        for kind in TOKEN_KINDS:
            _, raw_key = api_token_issue(
                name=f"{role} {kind}",
                user=user,
                partnership=None if kind == "national" else partnership,
                read_only=kind != "read-write",
            )
            yield role, kind, bearer(raw_key)


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[prefix for prefix, _ in ROUTES])
def test_a_token_never_writes_more_than_its_account_may(prefix, viewset, partnership_a):
    model = viewset.queryset.model
    basename = getattr(viewset, "basename", None) or router.get_default_basename(viewset)
    record = {**BUILDERS, **SHARED_BUILDERS}[model](partnership_a)
    administrator = client_for(factories.UserFactory(is_superuser=True))
    shown = administrator.get(reverse(f"api:{basename}-detail", args=[record.pk])).json()
    payload = {
        key: (value["id"] if isinstance(value, dict) and "id" in value else value)
        for key, value in shown.items()
        if key not in ("id", "url", "display", "revision")
    }
    signed_in = client_for(user_with_role(partnership_a, "secretariat"))
    clients = list(token_clients(partnership_a))

    for name, method, url, data in write_requests(viewset, basename, record.pk, payload):
        if (prefix, name) in READS:
            continue
        expected, _ = attempt(signed_in, method, url, data, record)
        for role, kind, client in clients:
            status, written = attempt(client, method, url, data, record)
            where = (name, method, role, kind, status)
            if role == "secretariat" and kind == "read-write":
                assert status == expected, (*where, "signed in:", expected)
            else:
                assert status >= 400, where
                assert not written, where

"""One guarded write (core/writes.py) for the API, the staff pages and the admin.

The stale-write behaviour of each front-end is tested where it lives (tests/platform/test_concurrency.py,
the editing and admin tests); here: that there is only one place that locks a row at a revision,
and that each front-end goes through it.
"""

import ast
import pathlib

import pytest
from django.urls import reverse

from core import writes
from tests import factories
from tests.editing import body_admin_data

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("core", "composition", "bodies", "delegation", "decisions", "risks", "stp_governance")


def _functions_locking_at_a_revision(path: pathlib.Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        names = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
        strings = {
            n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        if "select_for_update" in names and ("revision" in names or "revision" in strings):
            yield node.name


def test_only_core_writes_locks_a_row_at_a_revision():
    found = []
    for directory in SOURCE_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for name in _functions_locking_at_a_revision(path):
                found.append(f"{path.relative_to(ROOT)}:{name}")
    assert sorted(found) == ["core/writes.py:lock_at_revision", "core/writes.py:rows_changed_since"]


@pytest.fixture
def spy(monkeypatch):
    """Counts the revision locks and scope checks of the one mechanism, whoever calls it."""
    calls = []
    real_can = writes.access.can

    def can(user, action, instance):
        calls.append(("scope", type(instance).__name__, action))
        return real_can(user, action, instance)

    real_lock = writes.lock_at_revision

    def lock(instance, expected):
        calls.append(("lock", type(instance).__name__))
        return real_lock(instance, expected)

    monkeypatch.setattr(writes.access, "can", can)
    monkeypatch.setattr(writes, "lock_at_revision", lock)
    return calls


def test_a_page_edit_goes_through_the_guarded_write(secretariat, board, spy):
    response = secretariat.get(reverse("edit-body", args=[board.pk]))
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["name"] = "Our Board, renamed"
    response = secretariat.post(reverse("edit-body", args=[board.pk]), data)
    assert response.status_code == 302
    assert ("lock", "Body") in spy
    assert ("scope", "Body", "change") in spy


def test_an_admin_save_goes_through_the_guarded_write(admin_client, spy):
    body = factories.BodyFactory(name="Opened version")
    response = admin_client.post(
        reverse("admin:bodies_body_change", args=[body.pk]),
        body_admin_data(body, name="My change", expected_revision=1),
    )
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.name == "My change"
    assert ("lock", "Body") in spy
    assert ("scope", "Body", "change") in spy


def test_an_api_write_goes_through_the_guarded_write(ours, board, spy):
    from rest_framework.test import APIClient

    from tests.platform.conftest import user_with_role

    client = APIClient()
    client.force_authenticate(user_with_role(ours, "secretariat"))
    url = reverse("api:body-detail", args=[board.pk])
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"name": "Our Board, renamed"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert ("lock", "Body") in spy
    assert ("scope", "Body", "change") in spy

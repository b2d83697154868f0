"""Audit history: database triggers capture every path of change, with who and which request."""

import pghistory
import pghistory.models
import pytest
from django.db import connection, transaction
from django.urls import reverse

from bodies.models import Body
from tests import factories
from tests.platform.conftest import client_for

pytestmark = pytest.mark.django_db


def events(obj_or_model, **filters):
    return pghistory.models.MiddlewareEvents.objects.filter(pgh_model=f"bodies.{obj_or_model}", **filters)


def body_events(pk):
    return pghistory.models.MiddlewareEvents.objects.filter(
        pgh_model="bodies.BodyEvent", pgh_obj_id=str(pk)
    ).order_by("pgh_created_at", "pgh_id")


def test_save_update_bulk_raw_and_delete_are_all_captured_with_user_context():
    user = factories.UserFactory()
    partnership = factories.PartnershipFactory()
    with pghistory.context(user=user.pk, request_id="test-request"):
        body = Body.objects.create(partnership=partnership, name="Audited", slug="audited", kind="board")
        body.name = "Audited (saved)"
        body.save()
        Body.objects.filter(pk=body.pk).update(description="by QuerySet.update")
        others = Body.objects.bulk_create(
            [
                Body(partnership=partnership, name=f"Bulk {n}", slug=f"bulk-{n}", kind="forum")
                for n in range(2)
            ]
        )
        for other in others:
            other.description = "bulk updated"
        Body.objects.bulk_update(others, ["description"])
        with connection.cursor() as cursor:
            cursor.execute("UPDATE bodies_body SET short_name = 'RAW' WHERE id = %s", [body.pk])
        doomed = others[0]
        doomed_pk = doomed.pk
        doomed.delete()

    labels = list(body_events(body.pk).values_list("pgh_label", flat=True))
    assert labels == ["insert", "update", "update", "update"]
    assert body_events(body.pk).last().pgh_data["short_name"] == "RAW"
    assert all(event.user_id == user.pk for event in body_events(body.pk))
    assert {e.pgh_context["request_id"] for e in body_events(body.pk)} == {"test-request"}
    assert list(body_events(doomed_pk).values_list("pgh_label", flat=True)) == ["insert", "update", "delete"]
    assert list(body_events(others[1].pk).values_list("pgh_label", flat=True)) == ["insert", "update"]


def test_history_tables_are_append_only():
    body = factories.BodyFactory()
    event_model = pghistory.models.Events.objects.tracks(body).first()
    table = Body.pgh_event_model._meta.db_table if hasattr(Body, "pgh_event_model") else "bodies_bodyevent"

    for statement in (f"UPDATE {table} SET name = 'rewritten'", f"DELETE FROM {table}"):
        with (
            pytest.raises(Exception, match=r"append_only|Cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert event_model is not None


def test_history_over_the_api_names_the_user_and_the_request():
    admin = factories.UserFactory(is_superuser=True)
    body = factories.BodyFactory(name="Before")
    client = client_for(admin)
    url = reverse("api:body-detail", args=[body.pk])

    client.patch(
        url,
        {"name": "After"},
        format="json",
        HTTP_IF_MATCH=client.get(url)["ETag"],
        HTTP_X_REQUEST_ID="req-42",
    )
    history = client.get(reverse("api:body-history", args=[body.pk])).json()

    assert [event["label"] for event in history] == ["insert", "update"]
    assert history[-1]["diff"]["name"] == ["Before", "After"]
    assert (history[-1]["user"], history[-1]["request_id"]) == (admin.pk, "req-42")


def test_history_is_readable_per_object_in_the_admin(admin_client):
    body = factories.BodyFactory()

    change = admin_client.get(reverse("admin:bodies_body_change", args=[body.pk]))
    listing = admin_client.get(
        reverse("admin:pghistory_middlewareevents_changelist"),
        {"obj": f"bodies.Body:{body.pk}", "method": "tracks"},
    )

    assert b"Events" in change.content
    assert listing.status_code == 200


def test_a_record_as_it_stood_on_a_past_day_comes_from_its_history(monkeypatch):
    import datetime

    from django.utils import timezone

    admin = factories.UserFactory(is_superuser=True)
    body = factories.BodyFactory(name="Original name")
    pghistory.models.Events.objects.tracks(body)  # created today
    client = client_for(admin)
    url = reverse("api:body-detail", args=[body.pk])
    today = timezone.localdate()
    client.patch(url, {"name": "Renamed"}, format="json", HTTP_IF_MATCH="*")
    # Move the rename's event to tomorrow, as if it happened then.
    table = "bodies_bodyevent"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(
            f"UPDATE {table} SET pgh_created_at = pgh_created_at + interval '1 day' WHERE pgh_obj_id = %s AND pgh_label = 'update'",
            [body.pk],
        )
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")

    then = client.get(url, {"as_at": today.isoformat()}).json()
    later = client.get(url, {"as_at": (today + datetime.timedelta(days=1)).isoformat()}).json()
    before = client.get(url, {"as_at": "2000-01-01"})
    bad = client.get(url, {"as_at": "2018-02-30"})

    assert (then["name"], later["name"]) == ("Original name", "Renamed")
    assert before.status_code == 404
    assert bad.status_code == 400 and "as_at" in bad.json()

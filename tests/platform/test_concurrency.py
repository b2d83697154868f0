"""No lost updates: concurrent writers with the same ETag, against real PostgreSQL."""

import threading

import pghistory.models
import pytest
from django.db import connection
from django.urls import reverse

from bodies.models import Body
from tests import factories
from tests.platform.conftest import client_for


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_patches_with_one_etag_one_wins_nine_get_412():
    admin = factories.UserFactory(is_superuser=True)
    body = factories.BodyFactory(name="Contested Board")
    url = reverse("api:body-detail", args=[body.pk])
    etag = client_for(admin).get(url)["ETag"]
    events_before = pghistory.models.Events.objects.tracks(body).count()
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def writer(n: int) -> None:
        try:
            client = client_for(admin)
            barrier.wait(timeout=10)
            response = client.patch(url, {"name": f"Writer {n}"}, format="json", HTTP_IF_MATCH=etag)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200] + [412] * 9
    body.refresh_from_db()
    assert body.name.startswith("Writer ")
    assert body.revision == 2
    assert pghistory.models.Events.objects.tracks(body).count() == events_before + 1


@pytest.mark.django_db
def test_writes_without_if_match_get_428_and_change_nothing():
    admin = factories.UserFactory(is_superuser=True)
    body = factories.BodyFactory(name="Unchanged")
    url = reverse("api:body-detail", args=[body.pk])
    client = client_for(admin)

    assert client.patch(url, {"name": "Changed"}, format="json").status_code == 428
    assert client.put(url, {"name": "Changed"}, format="json").status_code == 428
    assert client.delete(url).status_code == 428
    assert Body.objects.get(pk=body.pk).name == "Unchanged"


@pytest.mark.django_db
def test_a_stale_etag_gets_412_and_a_fresh_one_succeeds():
    admin = factories.UserFactory(is_superuser=True)
    body = factories.BodyFactory(name="First")
    url = reverse("api:body-detail", args=[body.pk])
    client = client_for(admin)
    stale = client.get(url)["ETag"]
    Body.objects.filter(pk=body.pk).update(name="Changed behind your back")  # a bulk update bumps too

    assert client.patch(url, {"name": "Mine"}, format="json", HTTP_IF_MATCH=stale).status_code == 412
    fresh = client.get(url)["ETag"]
    assert fresh != stale
    assert client.patch(url, {"name": "Mine"}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
    assert Body.objects.get(pk=body.pk).name == "Mine"


@pytest.mark.django_db
def test_an_unchanged_save_keeps_the_revision():
    body = factories.BodyFactory()
    body.save()
    body.refresh_from_db()
    assert body.revision == 1
    body.name = "New name"
    body.save()
    body.refresh_from_db()
    assert body.revision == 2

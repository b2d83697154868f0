"""Webhooks: signed, delivered by a real worker, retried with backoff after a failure; and the events
the services emit (never for restricted records, only to endpoints that may read them)."""

import time

import orjson
import pytest
from django.urls import reverse

from core import webhooks
from core.models import OutboxMessage, WebhookDelivery
from decisions import services
from tests.jobs.conftest import Receiver, running_worker, use_broker, wait_for
from tests.jobs.scenario import scenario
from tests.platform.conftest import client_for


def test_a_signature_verifies_with_the_secret_and_nothing_else():
    body = b'{"type": "decision.recorded"}'
    now = int(time.time())
    header = webhooks.sign("whsec_right", now, body)

    assert webhooks.verify("whsec_right", header, body)
    assert not webhooks.verify("whsec_wrong", header, body)
    assert not webhooks.verify("whsec_right", header, body + b" ")
    assert not webhooks.verify("whsec_right", header, body, now=now + 3600)  # replayed an hour later
    assert not webhooks.verify("whsec_right", "garbage", body)


def test_backoff_doubles_up_to_the_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 30, 3600

    assert [webhooks.retry_countdown(n) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]


@pytest.mark.django_db
def test_an_events_data_is_the_record_as_the_api_reads_it(settings):
    """One representation: the event carries exactly what GET /api/v1/decisions/{id}/ answers at
    SITE_URL, so a field added to the resource reaches the events without being written twice."""
    settings.SITE_URL = "https://registry.example.nhs.uk"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "registry.example.nhs.uk"]
    world = scenario(webhook_url="http://127.0.0.1:9/hook")
    decision = services.decision_record(
        body=world.board, meeting=world.meeting, matter=world.matter, power="approve",
        resolution="Approved.", outcome="carried",
    )  # fmt: skip

    data = WebhookDelivery.objects.get().payload["data"]
    client = client_for(world.secretariat)
    read = client.get(
        reverse("api:decision-detail", args=[decision.pk]), HTTP_HOST="registry.example.nhs.uk", secure=True
    )
    assert read.status_code == 200
    assert data == read.json()
    assert data["url"] == f"https://registry.example.nhs.uk/api/v1/decisions/{decision.pk}/"


@pytest.mark.django_db
def test_recording_a_decision_queues_one_delivery_in_the_same_transaction():
    world = scenario(webhook_url="http://127.0.0.1:9/hook")
    other = scenario(webhook_url="http://127.0.0.1:9/other", name="Other Partnership")

    decision = services.decision_record(
        body=world.board, meeting=world.meeting, matter=world.matter, power="approve",
        resolution="Approved.", outcome="carried",
    )  # fmt: skip

    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.event_type, delivery.status) == (
        world.endpoint,
        "decision.recorded",
        "pending",
    )
    assert delivery.payload["data"]["id"] == decision.pk
    assert delivery.payload["partnership_id"] == world.partnership.pk
    assert other.endpoint.deliveries.count() == 0
    message = OutboxMessage.objects.get()
    assert (message.task, message.kwargs, message.dispatched_at) == (
        "core.tasks.deliver_webhook",
        {"delivery_id": delivery.pk},
        None,
    )


@pytest.mark.django_db
def test_a_restricted_decision_sends_no_webhook():
    world = scenario(webhook_url="http://127.0.0.1:9/hook")

    services.decision_record(
        body=world.board, meeting=world.meeting, matter=world.matter, power="approve", resolution="Approved.",
        outcome="carried", restricted=True, restriction_reason="Commercially confidential",
    )  # fmt: skip

    assert not WebhookDelivery.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.slow
def test_a_webhook_is_delivered_signed_and_retried_after_a_500(celery_worker, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.3
    with Receiver(statuses=[500, 200]) as receiver:
        world = scenario(webhook_url=receiver.url)
        api = client_for(world.secretariat)

        response = api.post(reverse("api:decision-list"), world.decision_payload(), format="json")
        assert response.status_code == 201, response.content

        delivery = wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").first(), timeout=20)
    assert [r["answered"] for r in receiver.received] == [500, 200]
    first, second = receiver.received
    for request in receiver.received:
        assert webhooks.verify(
            world.endpoint.secret, request["headers"]["X-Registry-Signature"], request["body"]
        )
        assert request["headers"]["X-Registry-Event"] == "decision.recorded"
    assert first["headers"]["X-Registry-Delivery"] == second["headers"]["X-Registry-Delivery"]
    event = orjson.loads(second["body"])
    assert event["type"] == "decision.recorded"
    assert event["data"]["id"] == response.json()["id"]
    assert [attempt["status_code"] for attempt in delivery.log] == [500, 200]
    assert delivery.attempts == 2


@pytest.mark.slow
def test_with_redis_down_a_decision_is_recorded_quickly_and_its_webhook_goes_once_redis_is_back(
    private_redis, transactional_db, settings
):
    use_broker(private_redis.url)
    with Receiver(statuses=[200]) as receiver:
        world = scenario(webhook_url=receiver.url)
        api = client_for(world.secretariat)
        private_redis.stop()

        started = time.monotonic()
        response = api.post(reverse("api:decision-list"), world.decision_payload(), format="json")
        elapsed = time.monotonic() - started

        assert response.status_code == 201, response.content
        assert elapsed < 2.0, f"recording a decision took {elapsed:.2f}s with the broker down"
        waiting = OutboxMessage.objects.get(task="core.tasks.deliver_webhook")
        assert waiting.dispatched_at is None
        assert waiting.attempts == 1 and waiting.last_error  # the publish was tried after commit, and failed
        assert receiver.received == []

        private_redis.start()
        with running_worker():
            # What beat does every few seconds: the dispatcher publishes what the outbox holds.
            from core.tasks import dispatch_outbox

            dispatch_outbox.apply_async()
            wait_for(lambda: receiver.received, timeout=20)
            wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists())

    assert len(receiver.received) == 1
    assert orjson.loads(receiver.received[0]["body"])["data"]["id"] == response.json()["id"]
    waiting.refresh_from_db()
    assert waiting.dispatched_at is not None


@pytest.mark.django_db
def test_a_delivery_queued_before_its_token_was_revoked_is_not_sent(monkeypatch):
    from django.utils import timezone

    world = scenario(webhook_url="http://127.0.0.1:9/hook")
    services.decision_record(
        body=world.board, meeting=world.meeting, matter=world.matter, power="approve",
        resolution="Approved.", outcome="carried",
    )  # fmt: skip
    delivery = WebhookDelivery.objects.get()
    token = world.endpoint.token
    token.revoked_at = timezone.now()
    token.save()
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: pytest.fail("sent to a revoked token"))

    delivered = webhooks.webhook_deliver(delivery_id=delivery.pk)

    assert (delivered.status, delivered.attempts) == ("failed", 0)
    assert "no longer usable" in delivered.last_error


@pytest.mark.django_db
def test_events_go_only_to_endpoints_whose_tokens_account_may_read_them():
    from core.models import WebhookEndpoint
    from core.tokens import api_token_issue
    from tests import factories

    world = scenario(webhook_url="http://127.0.0.1:9/hook")
    roleless, _ = api_token_issue(name="No role", user=factories.UserFactory(), partnership=world.partnership)
    WebhookEndpoint.objects.create(
        token=roleless, url="http://127.0.0.1:9/other", secret=webhooks.new_secret()
    )

    services.decision_record(
        body=world.board, meeting=world.meeting, matter=world.matter, power="approve",
        resolution="Approved.", outcome="carried",
    )  # fmt: skip

    assert [delivery.endpoint for delivery in WebhookDelivery.objects.all()] == [world.endpoint]


@pytest.mark.django_db
def test_a_delivery_queued_before_its_accounts_role_ended_is_not_sent(monkeypatch):
    from core.access import revoke_role

    world = scenario(webhook_url="http://127.0.0.1:9/hook")
    services.decision_record(
        body=world.board, meeting=world.meeting, matter=world.matter, power="approve",
        resolution="Approved.", outcome="carried",
    )  # fmt: skip
    delivery = WebhookDelivery.objects.get()
    revoke_role(user=world.endpoint.token.user, partnership=world.partnership, role="viewer")
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: pytest.fail("sent after the role ended"))

    delivered = webhooks.webhook_deliver(delivery_id=delivery.pk)

    assert (delivered.status, delivered.attempts) == ("failed", 0)
    assert "may no longer read" in delivered.last_error

"""Webhooks: signed POSTs to other systems when something happens in the registry.

The services that record a decision, a ratification, an approval of terms of reference or a risk
escalation call the matching function here in their own transaction. It writes one
`WebhookDelivery` per endpoint that may see the record, and an outbox message for each, so a
delivery is attempted only once the change has committed, and never lost if the broker is down.

Each POST carries `X-Registry-Event`, `X-Registry-Delivery` (the event id: receivers deduplicate on
it) and `X-Registry-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.
A delivery that fails (no answer, or not 2xx) is retried with exponential backoff up to a cap, then
marked failed; every attempt is in its log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import urllib.error
import urllib.request
import uuid

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import access, outbox
from core.access import token_may_read
from core.api.representation import api_representation
from core.leases import lease_until
from core.models import ApiToken, WebhookDelivery, WebhookEndpoint

DECISION_RECORDED = "decision.recorded"
RATIFICATION_RECORDED = "ratification.recorded"
TERMS_OF_REFERENCE_APPROVED = "terms_of_reference.approved"
RISK_ESCALATED = "risk.escalated"
EVENT_TYPES = (DECISION_RECORDED, RATIFICATION_RECORDED, TERMS_OF_REFERENCE_APPROVED, RISK_ESCALATED)
SIGNATURE_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does: check the signature and that the timestamp is recent (no replays)."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# -- emitting events (called by the services, inside their transaction) --------------------------
def event_emit(*, event_type: str, record, partnership_id: int | None, data: dict) -> int:
    """Queue the event about `record` for every active endpoint whose token may read it; returns how many.

    API tokens never read restricted records, so the events of a record not published (as its
    model declares) go nowhere.
    """
    if partnership_id is None or not access.is_published(record):
        return 0
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            Q(token__partnership_id=partnership_id) | Q(token__partnership__isnull=True),
            ApiToken.usable_condition("token__"),
            active=True,
        )
        .filter(Q(events=[]) | Q(events__contains=[event_type]))
        .select_related("token__user")
        # The token's account too, as it stands now: a token never reads more than its account.
        if token_may_read(endpoint.token, partnership_id)
    ]
    if not endpoints:
        return 0
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "type": event_type,
        "occurred_at": timezone.now().isoformat(),
        "partnership_id": partnership_id,
        "data": data,
    }
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=event_type, payload=payload)
        for endpoint in endpoints
    )
    for delivery in deliveries:
        outbox.enqueue("core.tasks.deliver_webhook", delivery_id=delivery.pk)
    return len(deliveries)


def record_event(*, event_type: str, record) -> int:
    """Queue `event_type` about `record`, which the services call after their write. The event's data
    is the record as its API resource reads it (`GET /api/v1/<resource>/<id>/`, links on SITE_URL):
    one representation, whatever reads it."""
    return event_emit(
        event_type=event_type,
        record=record,
        partnership_id=access.partnership_id_of(record),
        data=api_representation(record),
    )


# -- delivering (the task calls this) -------------------------------------------------------------
class DeliveryFailed(Exception):
    """The endpoint did not take the delivery; the task retries it with backoff."""


def retry_countdown(attempt: int) -> float:
    """Exponential backoff, capped: base, 2 base, 4 base … never more than the cap."""
    return min(
        settings.WEBHOOK_RETRY_MAX_SECONDS, settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0)
    )


def webhook_deliver(*, delivery_id: int, final: bool = False) -> WebhookDelivery:
    """Attempt one delivery. Idempotent: a delivered (or given up) delivery is not sent again.

    Raises DeliveryFailed when the endpoint did not answer 2xx, after logging the attempt (and, on the
    final attempt, marking the delivery failed).
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint__token__user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return delivery or WebhookDelivery.objects.get(pk=delivery_id)
        endpoint = delivery.endpoint
        if (
            not endpoint.active
            or not endpoint.token.is_usable()
            or not token_may_read(endpoint.token, delivery.payload["partnership_id"])
        ):
            # Revoked, expired, switched off or its account's role ended since the event was
            # queued: the client no longer reads.
            delivery.status, delivery.last_error, delivery.lease_expires_at = (
                WebhookDelivery.Status.FAILED,
                "The endpoint's token is no longer usable, or its account may no longer read this.",
                None,
            )
            delivery.save(update_fields=["status", "last_error", "lease_expires_at"])
            return delivery
        body = orjson.dumps(delivery.payload)
        timestamp = int(time.time())
        request = urllib.request.Request(
            endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "stp-governance-registry-webhooks/1",
                "X-Registry-Event": delivery.event_type,
                "X-Registry-Delivery": str(delivery.event_id),
                "X-Registry-Signature": sign(endpoint.secret, timestamp, body),
            },
        )
        started = time.monotonic()
        status_code, error = None, ""
        try:
            with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
                status_code = response.status
        except urllib.error.HTTPError as failure:
            status_code, error = failure.code, f"HTTP {failure.code}"
        except (urllib.error.URLError, OSError) as failure:
            error = f"{type(failure).__name__}: {getattr(failure, 'reason', failure)}"
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error
        delivery.log = [
            *delivery.log,
            {
                "attempt": delivery.attempts,
                "at": timezone.now().isoformat(),
                "status_code": status_code,
                "error": error,
                "ms": round((time.monotonic() - started) * 1000),
            },
        ]
        ok = status_code is not None and 200 <= status_code < 300
        delivery.heartbeat_at, delivery.lease_expires_at = timezone.now(), None
        if ok:
            delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, timezone.now()
        elif final or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:  # the retry is due after its countdown: if it is lost with its worker, the sweep resends it
            delivery.lease_expires_at = lease_until(
                retry_countdown(delivery.attempts) + settings.JOB_LEASE_SECONDS
            )
        delivery.save()
    if not ok and delivery.status == WebhookDelivery.Status.PENDING:
        raise DeliveryFailed(error)
    return delivery

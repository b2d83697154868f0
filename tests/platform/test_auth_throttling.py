"""Failed API token authentications are throttled by address and by key prefix; valid tokens never are."""

import socket

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from core import ratelimit
from core.cache import FailoverRedisCache
from core.tokens import api_token_issue
from tests.platform.conftest import user_with_role

pytestmark = pytest.mark.django_db

WINDOW_START = 1_800_000_000.0  # a whole hour: no count in a test straddles a window's end
ADDRESS_LIMIT = 20  # settings.RATE_LIMITS, per hour
PREFIX_LIMIT = 10


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: WINDOW_START + 60)


@pytest.fixture
def valid(partnership_a):
    # A token reads what its account may read (issue 14): the account is a viewer of the partnership.
    _, raw_key = api_token_issue(
        name="Intranet", user=user_with_role(partnership_a, "viewer"), partnership=partnership_a
    )
    return raw_key, reverse("api:partnership-detail", args=[partnership_a.pk])


def call(url, raw_key, address, **headers):
    client = APIClient()
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw_key}", REMOTE_ADDR=address, **headers)


def test_the_limits_are_the_documented_ones():
    assert settings.RATE_LIMITS["auth_failure_address"] == f"{ADDRESS_LIMIT}/hour"
    assert settings.RATE_LIMITS["auth_failure_key_prefix"] == f"{PREFIX_LIMIT}/hour"


def test_bad_tokens_from_one_address_are_answered_429_with_retry_after(valid):
    raw_key, url = valid
    statuses = [call(url, f"stp_bad{i:05d}-guess", "203.0.113.5").status_code for i in range(ADDRESS_LIMIT)]

    throttled = call(url, "stp_another-guess", "203.0.113.5")

    assert statuses == [401] * ADDRESS_LIMIT
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == str(3600 - 60)
    assert call(url, raw_key, "192.0.2.77").status_code == 200  # another address, a valid token
    assert call(url, raw_key, "203.0.113.5").status_code == 200  # only failures are throttled


def test_bad_keys_sharing_a_prefix_from_many_addresses_are_answered_429(valid):
    raw_key, url = valid
    prefix = "stp_AbCdEfGh"
    statuses = [call(url, f"{prefix}-guess-{i}", f"198.51.100.{i}").status_code for i in range(PREFIX_LIMIT)]

    throttled = call(url, f"{prefix}-guess-last", "198.51.100.200")

    assert statuses == [401] * PREFIX_LIMIT
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert call(url, "stp_ZzZzZzZz-other", "198.51.100.201").status_code == 401  # another prefix
    assert call(url, raw_key, "192.0.2.77").status_code == 200


def test_successful_requests_do_not_count(valid):
    raw_key, url = valid
    for _ in range(ADDRESS_LIMIT):
        assert call(url, raw_key, "203.0.113.9").status_code == 200

    statuses = [call(url, f"stp_bad{i:05d}-guess", "203.0.113.9").status_code for i in range(ADDRESS_LIMIT)]

    assert statuses == [401] * ADDRESS_LIMIT


def test_a_valid_token_is_authenticated_without_touching_the_counts(valid, monkeypatch):
    raw_key, url = valid

    def no_counting(**kwargs):
        raise AssertionError("counted a success")

    monkeypatch.setattr("core.api.throttling.hit", no_counting)

    assert call(url, raw_key, "203.0.113.5").status_code == 200


def test_a_clients_own_x_forwarded_for_does_not_escape_the_address_count(valid):
    _, url = valid
    for i in range(ADDRESS_LIMIT):
        call(url, f"stp_bad{i:05d}-guess", "203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")

    assert call(url, "stp_last-guess", "203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(valid, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    _, url = valid
    for i in range(ADDRESS_LIMIT):
        call(url, f"stp_bad{i:05d}-guess", "10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert call(url, "stp_x", "10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert call(url, "stp_y", "10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 401


# -- the shared cache ---------------------------------------------------------------------------
from tests.shared_redis import SHARED_TEST_REDIS as SHARED_REDIS  # noqa: E402


def counting_cache(location: str) -> FailoverRedisCache:
    return FailoverRedisCache(location, {"KEY_PREFIX": "throttle-test"})


def test_two_processes_share_the_counts_through_redis():
    first, second = counting_cache(SHARED_REDIS), counting_cache(SHARED_REDIS)
    key = f"count-{socket.gethostname()}-{id(first)}"
    try:
        first.add(key, 0, timeout=60)
        first.incr(key)
        second.add(key, 0, timeout=60)  # already there: not reset

        assert second.incr(key) == 2
        assert first.get(key) == 2
    finally:
        first.delete(key)


def test_without_redis_each_process_counts_in_memory():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    cache = counting_cache(f"redis://127.0.0.1:{closed_port}/0")

    cache.add("count", 0, timeout=60)
    cache.incr("count")

    assert cache.incr("count") == 2
    assert cache.get("count") == 2


def test_the_429_is_the_one_the_api_schema_documents(valid):
    """Every operation documents 429 with Retry-After (core/api/schema.py); a real one matches it."""
    import yaml

    _, url = valid
    for i in range(ADDRESS_LIMIT):
        call(url, f"stp_doc{i:05d}-guess", "203.0.113.9")
    throttled = call(url, "stp_doc-last-guess", "203.0.113.9")

    schema = yaml.safe_load((settings.BASE_DIR / "docs" / "openapi.yaml").read_text())
    documented = schema["paths"]["/api/v1/partnerships/{id}/"]["get"]["responses"]["429"]
    assert documented["headers"]["Retry-After"]["required"] is True
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) >= 1
    body = throttled.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str)  # components/schemas/Error
    assert documented["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}

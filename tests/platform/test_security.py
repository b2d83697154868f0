"""Security baseline: deploy checks, headers, no caching of private pages, lockout, security log."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "registry.example.org",
        "SITE_URL": "https://registry.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_headers_on_pages(admin_client):
    response = admin_client.get(reverse("admin:index"))

    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=True)
def test_hsts_and_secure_cookies_in_production(client, settings):
    response = client.get("/health/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_authenticated_api_responses_are_not_cached(admin_client):
    response = admin_client.get(reverse("api:body-list"))
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out(client, caplog):
    user = factories.UserFactory(username="secretary", is_staff=True)
    user.set_password("correct horse battery staple")
    user.save()
    url = reverse("admin:login")

    with caplog.at_level(logging.INFO, logger="core.security"):
        for _ in range(5):
            client.post(url, {"username": "secretary", "password": "wrong"})
        locked = client.post(url, {"username": "secretary", "password": "correct horse battery staple"})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    failures = [r.getMessage() for r in caplog.records if "login_failed" in r.getMessage()]
    assert len(failures) >= 5
    assert all("wrong" not in line and "battery" not in line for line in failures)


@pytest.mark.django_db
def test_denied_access_is_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="core.security"):
        client.get(reverse("api:risk-list"))  # never public: without an account, refused

    assert any("access_denied" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_responses_carry_a_request_id(client):
    assert len(client.get("/health/")["X-Request-ID"]) == 32
    assert client.get("/health/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert client.get("/health/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


@pytest.mark.django_db
def test_inline_script_needs_the_request_nonce(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def page(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">/* ok */</script>')

    request = rf.get("/")
    response = CSPMiddleware(page)(request)

    nonce = response.content.decode().split('nonce="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_a_site_url_outside_allowed_hosts_is_an_error_at_start_up(settings):
    """Links in emails and webhook payloads are built on SITE_URL as a request to it."""
    from core.checks import site_url_is_allowed

    settings.SITE_URL, settings.ALLOWED_HOSTS = "https://registry.example.nhs.uk", ["registry.example.nhs.uk"]
    assert site_url_is_allowed() == []
    settings.ALLOWED_HOSTS = ["elsewhere.example"]
    assert [error.id for error in site_url_is_allowed()] == ["core.E002"]

"""A real OpenID Connect provider on loopback, in a second process, for the single sign-on tests.

oidc-provider-mock is a provider built on authlib (discovery, authorization code flow with
PKCE and nonce, RS256-signed ID tokens, JWKS, userinfo) meant for tests: it signs in whichever
subject the authorization form is given, with the claims set for it over its HTTP API
(PUT /users/<sub>). Nothing in the registry's code is mocked: it speaks OpenID Connect to it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx
import pytest
from django.test import override_settings


@dataclass
class Provider:
    url: str

    def set_user(self, sub: str, **claims) -> None:
        httpx.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def settings(self, **extra):
        return override_settings(
            OIDC_ENABLED=True,
            OIDC_RP_CLIENT_ID="stp-registry",
            OIDC_RP_CLIENT_SECRET="registry-secret",
            OIDC_OP_AUTHORIZATION_ENDPOINT=f"{self.url}/oauth2/authorize",
            OIDC_OP_TOKEN_ENDPOINT=f"{self.url}/oauth2/token",
            OIDC_OP_USER_ENDPOINT=f"{self.url}/userinfo",
            OIDC_OP_JWKS_ENDPOINT=f"{self.url}/jwks",
            OIDC_VERIFY_KID=False,  # the provider has one key and names none in its tokens
            AUTHENTICATION_BACKENDS=[
                "axes.backends.AxesStandaloneBackend",
                "django.contrib.auth.backends.ModelBackend",
                "guardian.backends.ObjectPermissionBackend",
                "core.oidc.RegistryOIDCBackend",
            ],
            **extra,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("The test OpenID provider did not start.")
            time.sleep(0.2)
        yield Provider(url)
    finally:
        process.terminate()
        process.wait(timeout=10)

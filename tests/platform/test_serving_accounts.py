"""Under gunicorn with several workers (scripts/serve.sh, as `make run`), an ended role and a
deactivated account take effect on the next request whichever worker answers it: the account and
its roles are read from the database on every request, and sessions are cached in the shared Redis."""

import concurrent.futures

import pytest
from django.conf import settings
from django.test import Client, override_settings

from core.access import revoke_role
from core.account_sessions import account_deactivate, session_end
from core.models import AccountSession
from tests import factories
from tests.platform.conftest import user_with_role
from tests.platform.test_serving import get, served  # noqa: F401 (the fixture)
from tests.shared_redis import SHARED_TEST_REDIS

pytestmark = pytest.mark.slow
REQUESTS = 40


def answers(port: int, headers: dict) -> list[tuple[int, bytes]]:
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: get(port, "/", headers)[::2], range(REQUESTS)))


def test_an_ended_role_and_a_deactivated_account_hold_in_every_worker(served):  # noqa: F811
    port, _ = served
    partnership = factories.PartnershipFactory(name="Served Accounts Partnership")
    user = user_with_role(partnership, "viewer")
    browser = Client()
    browser.force_login(user)
    cookie = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    }

    before = answers(port, cookie)
    assert all(status == 200 and partnership.name.encode() in body for status, body in before)

    revoke_role(user=user, partnership=partnership, role="viewer")
    ended = answers(port, cookie)
    assert all(status == 200 and partnership.name.encode() not in body for status, body in ended)

    account_deactivate(user=user)
    refused = answers(port, cookie)
    assert {status for status, _ in refused} == {302}


def test_a_session_ended_on_the_sessions_page_is_gone_in_every_worker(served):  # noqa: F811
    """Every worker has read (and cached) the session; ending it from another process, through the
    shared cache as a web worker would, leaves none of them holding it."""
    port, _ = served
    partnership = factories.PartnershipFactory(name="Served Sessions Partnership")
    user = user_with_role(partnership, "viewer")
    browser = Client()
    browser.force_login(user)
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"}
    assert all(status == 200 for status, _ in answers(port, cookie))  # cached by every worker

    shared = {
        **settings.CACHES,
        "sessions": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": SHARED_TEST_REDIS,
            "KEY_PREFIX": "stp-session",
        },
    }
    with override_settings(CACHES=shared):
        AccountSession.objects.get_or_create(user=user, session_key=key)
        assert session_end(user=user, session_key=key)

    assert {status for status, _ in answers(port, cookie)} == {302}

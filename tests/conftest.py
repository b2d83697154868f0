import pytest
from django.core.cache import caches
from django.test import override_settings

from composition.seed import load_all
from tests import factories
from tests.platform.conftest import user_with_role


@pytest.fixture(autouse=True)
def no_n_plus_one():
    """Every request in every test runs under django-zeal (its middleware, in development settings):
    a relation loaded once per row (N+1) raises NPlusOneError, so the request fails."""
    with override_settings(ZEAL_RAISE=True):  # no effect when ZEAL=0 leaves the detector out
        yield


@pytest.fixture(autouse=True)
def fresh_caches():
    """Throttle and rate-limit counts live in caches: every test starts with empty, private ones
    (this process's memory, never the shared Redis, whose clear() would empty the broker's db too).
    override_settings, not the `settings` fixture: tests may name a parameter `settings`."""
    locmem = "django.core.cache.backends.locmem.LocMemCache"
    private = {
        alias: {"BACKEND": locmem, "LOCATION": f"test-{alias}"}
        for alias in ("default", "throttle", "sessions")
    }
    with override_settings(CACHES=private):
        for alias in private:
            caches[alias].clear()
        yield


@pytest.fixture(autouse=True)
def two_factor_where_asked():
    """Two-factor authentication is required in production (TWO_FACTOR_REQUIRED); tests that sign
    in administrators without it turn it off, and the tests of two-factor itself turn it on
    (tests/accounts/)."""
    with override_settings(TWO_FACTOR_REQUIRED=False):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the five seed partnerships, loaded once, as `make run` loads them.

    Tests run in transactions that roll back, so the seed stays as the documents give it;
    factory-made records sit beside it with their own names.
    """
    with django_db_blocker.unblock():
        load_all()


# -- the editing pages' world: our partnership and board, another partnership, our secretariat --
@pytest.fixture
def ours(db):
    return factories.PartnershipFactory(name="Our Partnership")


@pytest.fixture
def theirs(db):
    return factories.PartnershipFactory(name="Their Partnership")


@pytest.fixture
def secretariat(client, ours):
    """A client signed in as the secretariat of `ours` (modules may define their own `secretariat`)."""
    user = user_with_role(ours, "secretariat")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def board(ours):
    return factories.BodyFactory(partnership=ours, name="Our Board", slug="our-board")

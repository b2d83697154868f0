"""Two partnerships, A and B, and users holding roles on them."""

import pytest
from rest_framework.test import APIClient

from core.access import grant_role
from tests.factories import PartnershipFactory, UserFactory


@pytest.fixture
def partnership_a(db):
    return PartnershipFactory(name="Partnership A")


@pytest.fixture
def partnership_b(db):
    return PartnershipFactory(name="Partnership B")


def user_with_role(partnership, role: str):
    user = UserFactory()
    grant_role(user=user, partnership=partnership, role=role)
    return user


@pytest.fixture
def secretariat_a(partnership_a):
    return user_with_role(partnership_a, "secretariat")


@pytest.fixture
def viewer_a(partnership_a):
    return user_with_role(partnership_a, "viewer")


@pytest.fixture
def api_a(secretariat_a):
    client = APIClient()
    client.force_authenticate(secretariat_a)
    return client


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client

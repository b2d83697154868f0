import pytest
from rest_framework.test import APIClient

from core.access import grant_registry_administrator
from tests.factories import UserFactory


@pytest.fixture
def administrator(db):
    user = UserFactory()
    grant_registry_administrator(user=user)
    return user


@pytest.fixture
def api_admin(administrator):
    client = APIClient()
    client.force_authenticate(administrator)
    return client

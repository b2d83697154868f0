import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from core.access import REGISTRY_ADMINISTRATORS
from tests.factories import UserFactory


@pytest.fixture
def administrator(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=REGISTRY_ADMINISTRATORS)[0])
    return user


@pytest.fixture
def api_admin(administrator):
    client = APIClient()
    client.force_authenticate(administrator)
    return client

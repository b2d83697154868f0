import pytest

from stp_governance.seed import load_all


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the five seed partnerships, loaded once, as `make run` loads them.

    Tests run in transactions that roll back, so the seed stays as the documents give it;
    factory-made records sit beside it with their own names.
    """
    with django_db_blocker.unblock():
        load_all()

import pytest


@pytest.fixture
def catalog(db):
    from kei_community.vehicles.services import catalog_load

    catalog_load()

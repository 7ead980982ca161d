import pytest


@pytest.fixture
def tx(db):
    from tests.factories import StatePageFactory

    return StatePageFactory(code="TX")


@pytest.fixture
def all_states(db):
    from stategide.reference import load_states

    load_states()
    from stategide.models import StatePage

    return StatePage.objects.all()

import pytest


@pytest.fixture
def catalog(db):
    from kei_community.vehicles.services import catalog_load

    catalog_load()


@pytest.fixture
def states(db):
    """TX road-legal, OR restricted, NY not allowed (state guide pages with a published revision)."""
    from tests.factories import StatePageFactory

    return {
        "TX": StatePageFactory(
            code="TX", published__status="road_legal", published__summary="Road legal under 45 mph."
        ),
        "OR": StatePageFactory(code="OR", published__status="restricted"),
        "NY": StatePageFactory(code="NY", published__status="not_allowed", published__summary="Not allowed on roads."),
    }


def make_listings(n: int, **kwargs):
    from tests.factories import ListingFactory, UserFactory

    seller = kwargs.pop("seller", None) or UserFactory()
    return [ListingFactory(seller=seller, title=f"Truck number {i}", **kwargs) for i in range(n)]

import pytest


@pytest.fixture(autouse=True)
def _no_forum_rate_limit(settings):  # type: ignore[no-untyped-def]
    """Tests post many replies per minute; the rate limit has its own test."""
    settings.FORUM_POSTS_PER_MINUTE = 10_000

"""A reportable target for the moderation tests: the User model, with handlers that record calls.

Real apps register their own models; here the hide/restore/describe handlers only record what the
moderation code asked for (no database, Redis or Celery is faked).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from kei_community.moderation import registry


@dataclass
class RecordingHandlers:
    hidden: list[int] = field(default_factory=list)
    restored: list[int] = field(default_factory=list)

    def hide(self, obj) -> None:  # type: ignore[no-untyped-def]
        self.hidden.append(obj.pk)

    def restore(self, obj) -> None:  # type: ignore[no-untyped-def]
        self.restored.append(obj.pk)

    @staticmethod
    def describe(obj) -> dict:  # type: ignore[no-untyped-def]
        return {"title": f"Profile of {obj.public_name}", "url": f"/members/{obj.pk}/", "app": "users", "excerpt": ""}


@pytest.fixture
def reportable():
    """Register users.User as a moderation target for one test; yields the recording handlers."""
    from kei_community.users.models import User

    handlers = RecordingHandlers()
    previous = registry._targets.get(User)
    registry.register_target(User, hide=handlers.hide, restore=handlers.restore, describe=handlers.describe)
    yield handlers
    if previous is None:
        registry._targets.pop(User, None)
    else:
        registry._targets[User] = previous


@pytest.fixture
def target(db, reportable):
    """A piece of reportable content (a member profile)."""
    from tests.factories import UserFactory

    return UserFactory(display_name="Reported Member")


@pytest.fixture
def queue_source(db):
    """Register a queue source for one test; yields the list of items it returns."""
    items: list[dict] = []
    previous = registry._queue_sources.get("testapp")
    registry.register_queue_source("testapp", lambda: list(items))
    yield items
    if previous is None:
        registry._queue_sources.pop("testapp", None)
    else:
        registry._queue_sources["testapp"] = previous

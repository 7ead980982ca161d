"""How apps plug their content into the shared moderation queue without being imported.

In AppConfig.ready() an app calls:

    register_target(Listing, hide=..., restore=..., describe=..., noun="listing", owner=..., remove=..., unremove=...)
        hide(obj) / restore(obj): hide content reported by REPORTS_TO_HIDE members, or bring it back.
        describe(obj) -> {"title": str, "url": str, "app": "marketplace", "excerpt": str}
        noun: what members call it ("listing", "question", "post"), for notices.
        owner: the name of the field holding the member responsible for it ("seller", "author").
        related: more fields to select_related when the queue loads many (what describe() reads).
        remove(obj, actor=, reason=, removal=) -> dict: take it down (a moderator decided; the app's own state,
            caches invalidated); returns what unremove needs (kept on the Removal row).
        unremove(obj, actor=, state=): put it back as it was.
        changed(obj): cached pages showing obj are stale (called when one of its photos is removed or restored).
        member_content(member) -> QuerySet: the member's content of this kind that is up (for
            "remove all of this member's listings").
        Without remove/unremove the content can be reported and reviewed but not removed from here.

    register_member_listener("marketplace", fn)
        fn(member): a member was suspended or reinstated; drop cached pages showing their content.

    register_queue_source("stategide", fn)
        fn() -> list[dict]: items awaiting approval, each
        {"app", "kind", "title", "url", "created_at", "author"} (url opens the review page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class TargetHandlers:
    hide: Callable[[Any], None]
    restore: Callable[[Any], None]
    describe: Callable[[Any], dict]
    noun: str = "content"
    owner: str = ""
    related: tuple[str, ...] = ()
    remove: Callable[..., dict | None] | None = None
    unremove: Callable[..., None] | None = None
    member_content: Callable[[Any], Any] | None = None
    changed: Callable[[Any], None] | None = None

    @property
    def removable(self) -> bool:
        return self.remove is not None and self.unremove is not None

    def owner_of(self, obj: Any) -> Any:
        return getattr(obj, self.owner, None) if self.owner else None

    @property
    def select_related(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.owner, *self.related) if self.owner else self.related))


_targets: dict[type[models.Model], TargetHandlers] = {}
_queue_sources: dict[str, Callable[[], list[dict]]] = {}
_member_listeners: dict[str, Callable[[Any], None]] = {}


def register_target(
    model: type[models.Model],
    *,
    hide: Callable[[Any], None],
    restore: Callable[[Any], None],
    describe: Callable[[Any], dict],
    noun: str = "content",
    owner: str = "",
    related: tuple[str, ...] = (),
    remove: Callable[..., dict | None] | None = None,
    unremove: Callable[..., None] | None = None,
    member_content: Callable[[Any], Any] | None = None,
    changed: Callable[[Any], None] | None = None,
) -> None:
    _targets[model] = TargetHandlers(
        hide=hide,
        restore=restore,
        describe=describe,
        noun=noun,
        owner=owner,
        related=tuple(related),
        remove=remove,
        unremove=unremove,
        member_content=member_content,
        changed=changed,
    )


def handlers_for(obj_or_model: Any) -> TargetHandlers | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    model = getattr(model._meta, "concrete_model", model)  # type: ignore[attr-defined]
    return _targets.get(model)


def reportable_models() -> list[type[models.Model]]:
    return list(_targets)


def register_queue_source(app: str, fn: Callable[[], list[dict]]) -> None:
    _queue_sources[app] = fn


def queue_sources() -> dict[str, Callable[[], list[dict]]]:
    return dict(_queue_sources)


def bulk_removable_models() -> list[type[models.Model]]:
    """Kinds of content a moderator can take down all at once for one member."""
    return [m for m, h in _targets.items() if h.removable and h.member_content is not None]


def register_member_listener(app: str, fn: Callable[[Any], None]) -> None:
    _member_listeners[app] = fn


def member_listeners() -> list[Callable[[Any], None]]:
    return [fn for _, fn in sorted(_member_listeners.items())]


class HandledTarget:
    """What a reported object's registered handlers say about it, for anything that holds `obj` and
    `handlers` (the queue's report groups, the actions' situations)."""

    obj: Any
    handlers: TargetHandlers | None

    @property
    def removable(self) -> bool:
        return self.obj is not None and self.handlers is not None and self.handlers.removable

    @property
    def noun(self) -> str:
        return self.handlers.noun if self.handlers is not None else "content"

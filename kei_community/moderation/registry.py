"""How apps plug their content into the shared moderation queue without being imported.

In AppConfig.ready() an app calls:

    register_target(Listing, hide=..., restore=..., describe=...)
        hide(obj) / restore(obj): hide content reported by REPORTS_TO_HIDE members, or bring it back.
        describe(obj) -> {"title": str, "url": str, "app": "marketplace", "excerpt": str}

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


_targets: dict[type[models.Model], TargetHandlers] = {}
_queue_sources: dict[str, Callable[[], list[dict]]] = {}


def register_target(
    model: type[models.Model],
    *,
    hide: Callable[[Any], None],
    restore: Callable[[Any], None],
    describe: Callable[[Any], dict],
) -> None:
    _targets[model] = TargetHandlers(hide=hide, restore=restore, describe=describe)


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

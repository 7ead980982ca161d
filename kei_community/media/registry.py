"""Which objects can own photos, and who may manage their photos: each owning app says so here.

In AppConfig.ready() the app that attaches photos to its objects registers its own permission check
(kei_community never imports the apps):

    register_owner(Listing, can_manage=hooks.listing_photos_can_manage)

`can_manage(actor, owner) -> bool` answers for a signed-in member: may `actor` change the photos of
`owner` as it is now (its seller, author, owner)? Moderators are not the app's concern: the media
services let them through as moderators, and audit it.

Every photo write in kei_community.media.services (delete, reorder, move, cover, alt text) and every
photo route (the generic /api/v1/photos/{id}/, the PhotosViewSetMixin routes, handle_photo_action)
asks `may_manage()`. Who uploaded a photo plays no part: a garage truck that changed hands is managed
by its new owner only. An owner type nobody registered is managed by moderators only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

CanManage = Callable[[Any, Any], bool]
Changed = Callable[[type[models.Model], int], None]

_owners: dict[type[models.Model], CanManage] = {}
_changed: dict[type[models.Model], Changed] = {}


def _concrete(obj_or_model: Any) -> type[models.Model]:
    model: Any = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return getattr(model._meta, "concrete_model", model)


def register_owner(model: type[models.Model], *, can_manage: CanManage, changed: Changed | None = None) -> None:
    """`changed(model, owner_id)`, when given, is called after every change to the owner's photos (added,
    deleted, reordered, cover, alt text, processed, removed or restored by a moderator): the owning app fires
    the cache tags of the pages that show them."""
    _owners[_concrete(model)] = can_manage
    if changed is not None:
        _changed[_concrete(model)] = changed


def photos_changed(model: type[models.Model] | None, owner_id: int | None) -> None:
    """Tell the owning app that the photos of (model, owner_id) changed (see register_owner)."""
    if model is None or owner_id is None:
        return
    handler = _changed.get(_concrete(model))
    if handler is not None:
        handler(_concrete(model), owner_id)


def owner_check(obj_or_model: Any) -> CanManage | None:
    return _owners.get(_concrete(obj_or_model))


def registered_owner_models() -> list[type[models.Model]]:
    return list(_owners)


def may_manage(actor: Any, owner: models.Model | None) -> bool:
    """True when `actor` may manage `owner`'s photos under the owning app's own rule (moderators aside)."""
    if owner is None or not getattr(actor, "is_authenticated", False):
        return False
    check = owner_check(owner)
    return bool(check is not None and check(actor, owner))

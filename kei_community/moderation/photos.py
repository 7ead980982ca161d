"""Photos as moderation targets (any app's photos: listings, forum posts, garage trucks, avatars).

A removed photo is moved off its owner onto its Removal row (the photo's generic owner becomes the
removal), so every page, card and count that reads ``owner.photos`` stops showing it at once without
the apps knowing, and the media sweeper keeps it (its owner row exists). Restoring moves it back to
its place. The owning app's ``changed`` handler drops its cached pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import Truncator

from kei_community.media.models import Photo
from kei_community.moderation.models import Removal
from kei_community.moderation.registry import handlers_for


def _owner_changed(owner: models.Model | None) -> None:
    from kei_community.media.registry import photos_changed

    handlers = handlers_for(owner) if owner is not None else None
    if handlers is not None and handlers.changed is not None:
        handlers.changed(owner)
    if owner is not None:
        photos_changed(type(owner), owner.pk)


def photo_describe(photo: Photo) -> dict:
    from kei_community.moderation.selectors import describe_target

    owner = photo.owner
    if isinstance(owner, Removal) or owner is None:
        described = {"title": "removed content", "url": "", "app": ""}
    else:
        described = describe_target(owner)
    return {
        "title": f"Photo on {described.get('title', '')}",
        "url": str(described.get("url") or ""),
        "app": str(described.get("app") or "media"),
        "excerpt": Truncator(photo.alt).chars(200),
    }


def photo_remove(photo: Photo, *, actor: Any, reason: str, removal: Removal) -> dict:
    owner = photo.owner
    state = {
        "owner_type": photo.owner_type_id,
        "owner_id": photo.owner_id,
        "position": photo.position,
        "is_cover": photo.is_cover,
    }
    Photo.objects.filter(pk=photo.pk).update(
        owner_type=ContentType.objects.get_for_model(Removal), owner_id=removal.pk, is_cover=False
    )
    if photo.is_cover:
        siblings = Photo.objects.filter(owner_type_id=state["owner_type"], owner_id=state["owner_id"])
        first = siblings.order_by("position", "id").first()
        if first is not None:
            siblings.filter(pk=first.pk).update(is_cover=True)
    _owner_changed(owner)
    return state


def photo_unremove(photo: Photo, *, actor: Any, state: dict) -> None:
    owner_type = ContentType.objects.get_for_id(int(state["owner_type"]))
    model = owner_type.model_class()
    owner = model._base_manager.filter(pk=state["owner_id"]).first() if model is not None else None
    if owner is None:
        raise ValidationError("The content this photo belonged to no longer exists.")
    siblings = Photo.objects.filter(owner_type=owner_type, owner_id=owner.pk)
    is_cover = bool(state.get("is_cover")) or not siblings.filter(is_cover=True).exists()
    if is_cover:
        siblings.update(is_cover=False)
    Photo.objects.filter(pk=photo.pk).update(
        owner_type=owner_type, owner_id=owner.pk, position=int(state.get("position") or 0), is_cover=is_cover
    )
    _owner_changed(owner)


def register() -> None:
    from kei_community.moderation.registry import register_target

    register_target(
        Photo,
        hide=lambda photo: None,  # reports alone never hide a photo; a moderator removes it
        restore=lambda photo: None,
        describe=photo_describe,
        noun="photo",
        owner="uploader",
        remove=photo_remove,
        unremove=photo_unremove,
    )

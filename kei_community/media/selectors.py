"""Photo reads."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from kei_community.core.ids import parse_id
from kei_community.media.models import Photo


def photos_for(owner: models.Model) -> models.QuerySet[Photo]:
    """An owner's photos in display order."""
    return Photo.objects.filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk).order_by(
        "position", "id"
    )


# The attribute photos_prefetch() fills; photos_of() reads it.
PHOTO_LIST = "photo_list"


def photos_prefetch() -> models.Prefetch:
    """A list's photos in one query, into each object's `photo_list` (read them with photos_of). A
    generic relation prefetched into `photos` builds a filtered queryset for every object (about 0.3 ms each,
    half of a 20-listing API page's query time); a list attribute is only set."""
    return models.Prefetch("photos", queryset=Photo.objects.order_by("position", "id"), to_attr=PHOTO_LIST)


def photos_of(obj: Any) -> list[Photo]:
    """obj's photos in display order: from photos_prefetch() or a `photos` prefetch when there is one, else
    one query."""
    listed = getattr(obj, PHOTO_LIST, None)
    if listed is None:
        listed = getattr(obj, "_prefetched_objects_cache", {}).get("photos")
    items = list(listed) if listed is not None else list(obj.photos.all())
    return sorted(items, key=lambda p: (p.position, p.pk))


def photo_get(*, photo_id: Any) -> Photo | None:
    pk = parse_id(photo_id)
    if pk is None:
        return None
    return Photo.objects.select_related("owner_type").filter(pk=pk).first()


def photo_for_owner(*, owner: models.Model, photo_id: Any) -> Photo | None:
    pk = parse_id(photo_id)
    if pk is None:
        return None
    return photos_for(owner).filter(pk=pk).first()


def avatar_for(user: Any, *, fresh: bool = False) -> Photo | None:
    """The user's avatar (cached on the instance for the rest of the request unless fresh=True)."""
    if user is None or not getattr(user, "pk", None):
        return None
    if not fresh and hasattr(user, "_avatar_cache"):
        cached: Photo | None = user._avatar_cache
        return cached
    photo = photos_for(user).filter(is_cover=True).first() or photos_for(user).first()
    user._avatar_cache = photo
    return photo


def photos_needing_processing(*, include_ready: bool = False) -> models.QuerySet[Photo]:
    qs = Photo.objects.all()
    if not include_ready:
        qs = qs.exclude(status=Photo.Status.READY)
    return qs.order_by("pk")

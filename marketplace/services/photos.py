"""A listing's photos, through kei_community.media."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from kei_community.moderation import limits
from marketplace.models import Listing
from marketplace.services.rules import _changed, _check_owner

if TYPE_CHECKING:
    from kei_community.media.models import Photo


def _check_photo_cap(actor: Any) -> None:
    """New accounts may add NEW_ACCOUNT_DAILY_CAPS["image"] listing photos a day (like their other caps)."""
    if not limits.is_new_account(actor):
        return
    from django.contrib.contenttypes.models import ContentType

    from kei_community.media.models import Photo

    # Lock the member's row until the photo is saved, so two uploads at once cannot both pass the cap.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    count = Photo.objects.filter(
        uploader=actor, owner_type=ContentType.objects.get_for_model(Listing), created_at__gte=limits.start_of_day()
    ).count()
    limits.check_new_account_cap(user=actor, action="image", count_today=count)


def listing_photo_add(*, actor: Any, listing: Listing, upload: Any) -> Photo:
    from kei_community.media.services import photo_add

    _check_owner(actor, listing)
    with transaction.atomic():
        _check_photo_cap(actor)
        photo = photo_add(uploader=actor, owner=listing, upload=upload, max_photos=settings.PHOTO_MAX_PER_OBJECT)
    _changed(listing, search=False)
    return photo


def listing_photos_reorder(*, actor: Any, listing: Listing, ordered_ids: list[Any]) -> None:
    """`ordered_ids` as given (form or JSON values): the media service checks they are whole numbers
    naming each of the listing's photos once."""
    from kei_community.media.services import photos_reorder

    _check_owner(actor, listing)
    photos_reorder(owner=listing, ordered_ids=ordered_ids)
    _changed(listing, search=False)


def listing_photo_delete(*, actor: Any, listing: Listing, photo_id: int) -> None:
    from kei_community.media.services import photo_delete

    _check_owner(actor, listing)
    photo = listing.photos.filter(pk=photo_id).first()
    if photo is None:
        raise ValidationError({"photo": ["That photo is not on this listing."]})
    photo_delete(actor=actor, photo=photo)
    _changed(listing, search=False)


def listing_photo_set_cover(*, actor: Any, listing: Listing, photo_id: int) -> None:
    from kei_community.media.services import photo_set_cover

    _check_owner(actor, listing)
    photo = listing.photos.filter(pk=photo_id).first()
    if photo is None:
        raise ValidationError({"photo": ["That photo is not on this listing."]})
    photo_set_cover(photo=photo)
    _changed(listing, search=False)

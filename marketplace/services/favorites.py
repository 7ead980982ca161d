"""Favourites (and the listing's favourites count)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from marketplace.models import Favorite, Listing


@transaction.atomic
def favorite_add(*, user: Any, listing: Listing) -> Favorite:
    if not user or not user.is_authenticated:
        raise PermissionDenied("Sign in to save favourites.")
    if not listing.is_public:
        raise ValidationError("This listing is not available.")
    fav, created = Favorite.objects.get_or_create(user=user, listing=listing)
    if created:
        Listing.objects.filter(pk=listing.pk).update(favorites_count=F("favorites_count") + 1)
    return fav


@transaction.atomic
def favorite_remove(*, user: Any, listing: Listing) -> None:
    deleted, _ = Favorite.objects.filter(user=user, listing=listing).delete()
    if deleted:
        Listing.objects.filter(pk=listing.pk, favorites_count__gt=0).update(favorites_count=F("favorites_count") - 1)

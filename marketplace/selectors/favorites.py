"""Favourites: which listings a viewer favourited, and a member's favourites list."""

from __future__ import annotations

from typing import Any

from django.db import connection

from marketplace.models import Favorite, Listing
from marketplace.selectors.listings import listing_card_qs


def favorite_ids_for(*, viewer: Any, listing_ids: list[int]) -> set[int]:
    """Which of these listings the viewer favourited. Raw SQL: it runs on every signed-in search and
    listing page, and building the ORM query cost more than running it."""
    if viewer is None or not viewer.is_authenticated or not listing_ids:
        return set()
    ids = [int(pk) for pk in listing_ids]
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"SELECT listing_id FROM {Favorite._meta.db_table} WHERE user_id = %s AND listing_id IN ({placeholders})"  # noqa: S608 - only placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer.pk, *ids])
        return {row[0] for row in cursor.fetchall()}


def favorites_for(*, user: Any) -> list[Listing]:
    return list(listing_card_qs().filter(favorites__user=user).order_by("-favorites__created_at"))

"""Result cards and the blocks of a results page: data for templates, cached through the cache layer.

Markup lives in templates (listing_card.html, listing_card_footer.html with the one favourite_button.html,
listing_facets.html, listing_state_map.html; the search form is marketplace.search.form_fields); this module prepares
their data and caches what is the same for every reader:

- A card (region "marketplace.card", tag: the listing) is rendered once with its two
  per-request slots cut out (core.slots): the distance from the searched ZIP and the footer. One
  `get_many` per page reads the cards; only the missing ones are rendered. A card showing a photo still
  being processed is not stored (the photo changes without a listing write).
- The footer is the favourite button of a signed-in reader who is not the seller: listing_card_footer.html
  is rendered once per variant (saved or not) with its values cut out and filled per card (core.slots.Stamp),
  so twenty buttons cost twenty string joins, not twenty template renders.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from kei_community.core import cache_tags, caching, slots
from kei_community.media.selectors import PHOTO_LIST, photos_of
from marketplace.models import Listing

CARD_TEMPLATE = "marketplace/listing_card.html"
SETTLED_PHOTO_STATES = ("ready", "failed")
FOOTER = slots.Stamp("marketplace/listing_card_footer.html", ("listing_pk", "listing_title", "next_url", "csrf_token"))


def photos_by_listing(listings: list[Listing]) -> dict[int, list[Any]]:
    """Each listing's photos in display order: from a `photos` prefetch when there is one, else one query
    for the page (cheaper than a generic-relation prefetch, which builds a queryset per listing)."""
    from django.contrib.contenttypes.models import ContentType

    from kei_community.media.models import Photo

    out: dict[int, list[Any]] = {}
    need = []
    for obj in listings:
        if getattr(obj, PHOTO_LIST, None) is not None or "photos" in getattr(obj, "_prefetched_objects_cache", {}):
            out[obj.pk] = photos_of(obj)
        else:
            out[obj.pk] = []
            need.append(obj.pk)
    if need:
        ct = ContentType.objects.get_for_model(Listing)
        for photo in Photo.objects.filter(owner_type=ct, owner_id__in=need).order_by("position", "id"):
            out[photo.owner_id].append(photo)
    return out


Card = tuple[int, int, str]  # (listing id, seller id, the distance slot's text: " · 12 mi away" or "")


def distance_text(distance: float | None) -> str:
    """What a card shows of its distance from the searched ZIP (worked out when the results are built)."""
    return f" · {floatformat(distance, 0)} mi away" if distance is not None else ""


def _render_cards(pks: list[int], known: dict[int, Listing]) -> dict[str, list[Any]]:
    """Cards of these listings (rows loaded in full where `known` lacks them or has them deferred)."""
    need = [pk for pk in pks if pk not in known or known[pk].get_deferred_fields()]
    rows = {**known, **(Listing.objects.select_related("chassis_code").in_bulk(need) if need else {})}
    objs = [rows[pk] for pk in pks if pk in rows]
    photos = photos_by_listing(objs)
    template = get_template(CARD_TEMPLATE)
    out = {}
    for obj in objs:
        items = photos[obj.pk]
        if any(photo.status not in SETTLED_PHOTO_STATES for photo in items):
            caching.dont_store()  # the picture changes when processing ends, without a listing write
        cover = next((p for p in items if p.is_cover), items[0]) if items else None
        markers = {"slot_distance": slots.marker(), "slot_footer": slots.marker()}
        ready = sum(1 for photo in items if photo.status == "ready")
        html = template.render({"listing": obj, "cover": cover, "photo_count": ready, **markers})
        card = slots.pattern(slots.cut(html, {m: name for name, m in markers.items()}))
        out[str(obj.pk)] = [card, obj.title]
    return out


def card_bodies(cards: Sequence[Card], *, listings: Iterable[Listing] = ()) -> dict[int, list[Any]]:
    """The cached card of each (id, seller id, _) in `cards`: [pattern, title] by listing id (the pattern is
    the card's markup for str.format_map with its slots as fields, core.slots.pattern).
    `listings`: rows already loaded, used for the cards that must be rendered."""
    known = {obj.pk: obj for obj in listings}
    items = {str(pk): (cache_tags.listing(pk),) for pk, _, _ in cards}
    found = caching.get_or_build_many(
        "marketplace.card", items, lambda names: _render_cards([int(n) for n in names], known), local=True
    )
    return {int(name): value for name, value in found.items()}


def fill_cards(
    cards: Sequence[Card],
    bodies: dict[int, list[Any]],
    *,
    viewer: Any,
    favorite_ids: set[int] | frozenset[int] = frozenset(),
    next_url: str = "",
    csrf_token: str = "",
) -> list[SafeString]:
    """The cards with the per-request slots filled: the distance and, for a signed-in reader who is not
    the seller, the favourite button."""
    signed_in = bool(viewer is not None and viewer.is_authenticated)
    out = []
    for pk, seller_id, distance in cards:
        body = bodies.get(pk)
        if body is None:  # deleted since the results were cached
            continue
        card, title = body
        footer = ""
        if signed_in and viewer.pk != seller_id:
            footer = FOOTER.fill(
                {"is_favorite": pk in favorite_ids},
                {"listing_pk": pk, "listing_title": title, "next_url": next_url, "csrf_token": csrf_token},
            )
        values = {
            "slot_distance": distance,
            "slot_footer": footer,
        }
        out.append(mark_safe(card.format_map(values)))  # noqa: S308 - our templates; values escaped
    return out


def render_cards(
    listings: Iterable[Listing],
    *,
    viewer: Any,
    favorite_ids: set[int] | frozenset[int] = frozenset(),
    next_url: str = "",
    csrf_token: str = "",
) -> list[SafeString]:
    """One card per listing (favourites and dealer pages), with its favourite button."""
    listings = list(listings)
    cards = [(obj.pk, obj.seller_id, distance_text(getattr(obj, "distance", None))) for obj in listings]
    bodies = card_bodies(cards, listings=listings)
    return fill_cards(cards, bodies, viewer=viewer, favorite_ids=favorite_ids, next_url=next_url, csrf_token=csrf_token)


MAP_FACETS = ("state",)  # shown on the "Trucks by state" map, not in the "Refine" block


def _without_page(query: QueryDict) -> QueryDict:
    q = query.copy()
    q.pop("page", None)
    return q


def facets_html(*, facets: list[dict[str, Any]], ranges: dict[str, Any], query: QueryDict) -> str:
    """The "Refine" block of a results page: each facet value links to the search with that filter set."""
    base = _without_page(query)
    shown = []
    for facet in facets:
        if facet["name"] in MAP_FACETS:
            continue
        values = []
        for value in facet["values"]:
            q = base.copy()
            q[facet["name"]] = value["value"]
            values.append({**value, "query": q.urlencode()})
        shown.append({**facet, "values": values})
    capped = any(facet.get("capped") for facet in shown)
    return render_to_string(
        "marketplace/listing_facets.html", {"facets": shown, "ranges": ranges, "counted": _counted() if capped else 0}
    )


def _counted() -> int:
    """How many matches a capped search counts (its facets and map say so)."""
    from marketplace.selectors.search import SEARCH_CANDIDATES

    return SEARCH_CANDIDATES


# Shades of the "Trucks by state" map: (smallest count, class suffix, legend text), largest first.
MAP_SHADES = ((11, "4", "11+"), (6, "3", "6–10"), (3, "2", "3–5"), (1, "1", "1–2"), (0, "0", "0"))


def _trucks(count: int) -> str:
    return f"{count} truck{'s' if count != 1 else ''}" if count else "no trucks"


def state_map_html(*, facets: list[dict[str, Any]], total: int, current: str, query: QueryDict) -> str:
    """The "Trucks by state" map of a results page, drawn from the search's state facet (no query of its own).

    One tile per jurisdiction on the state guide's grid (`stategide.tiles.TILE_POSITIONS`), shaded by its
    number of matches (of the first SEARCH_CANDIDATES when the state facet is capped: the text says so). A tile
    with matches links to the search with `state` set (other filters kept, page
    dropped); a tile without is muted and not a link. `current` is the searched state: its tile is marked
    and an "All states" link drops the filter."""
    try:
        from stategide.tiles import TILE_POSITIONS
    except ImportError:  # the state guide is optional; so is its map layout
        return ""
    from kei_community.core.us import US_STATES

    state_facet: dict[str, Any] = next((facet for facet in facets if facet["name"] == "state"), {"values": []})
    counts: dict[str, int] = {v["value"]: v["count"] for v in state_facet["values"]}
    capped = bool(state_facet.get("capped"))
    base = _without_page(query)
    tiles = []
    for code, (row, col) in TILE_POSITIONS.items():
        count = counts.get(code, 0)
        q = base.copy()
        q["state"] = code
        tiles.append(
            {
                "code": code, "row": row, "col": col, "count": count, "query": q.urlencode(),
                "shade": next(suffix for low, suffix, _ in MAP_SHADES if count >= low),
                "label": f"{US_STATES.get(code, code)}: {_trucks(count)}", "current": bool(count and code == current),
            }
        )  # fmt: skip
    all_states = base.copy()
    all_states.pop("state", None)
    # A capped count is of the first matches only: what is not on the map is not known then.
    unmapped = 0 if capped else max(total - sum(counts.get(code, 0) for code in TILE_POSITIONS), 0)
    return render_to_string(
        "marketplace/listing_state_map.html",
        {
            "tiles": tiles,
            "current": current,
            "current_name": US_STATES.get(current, current),
            "all_states_query": all_states.urlencode(),
            "unmapped": unmapped,
            "unmapped_label": _trucks(unmapped),
            "shades": [{"suffix": suffix, "text": text} for _, suffix, text in reversed(MAP_SHADES)],
            "counted": _counted() if capped else 0,
        },
    )


SEARCH_PAGE_URLS = {
    "index": "marketplace:index", "create": "marketplace:listing-create", "dashboard": "marketplace:dashboard",
    "favorites": "marketplace:favorites", "inbox": "conversations:inbox", "prices": "marketplace:prices",
    "saved_searches": "marketplace:saved-searches",
}  # fmt: skip


@functools.cache
def _search_page_urls(prefix: str) -> dict[str, str]:
    return {key: reverse(name) for key, name in SEARCH_PAGE_URLS.items()}


def search_page_urls() -> dict[str, str]:
    """The fixed links of the search page, reversed once per script prefix (not once per request)."""
    return _search_page_urls(get_script_prefix())

"""The marketplace's use of the cache layer (kei_community.core.caching): what its writes invalidate and
which query parameters its cached pages understand.

A listing write fires its listing tag (its page, its card, its detail parts). Only a write that can
change what a search matches, how it sorts or its facets (SEARCH_FIELDS) also fires the search tags:
the cached matches of searches filtered on the listing's make, and of searches without a make filter.
A photo, a question or its answer, a favourite or a view never clears a search.

A ZIP + radius search without a make filter depends on the areas its box covers instead (cells of
AREA_DEGREES, `area_tag`) and on GEO_ALL: a write fires the cells of the listing's place before and after
it, so a price change in Oregon leaves a search around Austin cached. A write that does not say where its
listings are (the expiry sweep, a member's suspension) fires GEO_ALL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from kei_community.core import cache_tags
from kei_community.core.page_cache import positive_int
from marketplace.filters import ALL_PARAMS

# Listing columns that searches filter, sort or count on (marketplace.selectors / filters).
SEARCH_FIELDS = (
    "status", "hidden", "held_for_review", "published_at", "title", "description", "make", "model",
    "chassis_code_id", "year_built", "price", "odometer_km", "drive", "transmission", "bed_type", "title_status",
    "location_status", "seller_type", "state", "lat", "lng", "us_market", "import_eligible_on",
)  # fmt: skip

# The query parameters each cached page understands (anything else is not kept in the page cache).
SEARCH_QUERY = {name: (positive_int() if name == "page" else None) for name in ALL_PARAMS}
DETAIL_QUERY = ("zip",)


def search_tag(make: str = "") -> str:
    """The tag of cached searches filtered on `make` ("" for searches without a make filter)."""
    return cache_tags.listing_search(f"make:{make.strip().lower()}" if make and make.strip() else "")


# Areas: cells of AREA_DEGREES of latitude and longitude (about 140 miles north to south). A radius search whose
# box covers more than MAX_AREA_CELLS of them depends on every search without a make filter instead.
AREA_DEGREES = 2.0
MAX_AREA_CELLS = 100
GEO_ALL = cache_tags.listing_search("geo:all")  # fired by writes that do not say where their listings are


def _cell(degrees: float) -> int:
    return math.floor(degrees / AREA_DEGREES)


def _cell_tag(row: int, column: int) -> str:
    return cache_tags.listing_search(f"area:{row}:{column}")


def area_tag(lat: float, lng: float) -> str:
    """The tag of the cached radius searches whose box covers this place's cell."""
    return _cell_tag(_cell(lat), _cell(lng))


def _area_tags(origin: dict[str, Any], miles: float) -> list[str] | None:
    """The tags of the cells a radius search's box covers; None when there are too many."""
    from marketplace.selectors.geo import bounding_box

    south, north, west, east = bounding_box(float(origin["lat"]), float(origin["lng"]), float(miles))
    rows, columns = range(_cell(south), _cell(north) + 1), range(_cell(west), _cell(east) + 1)
    if len(rows) * len(columns) > MAX_AREA_CELLS:
        return None
    return [_cell_tag(row, column) for row in rows for column in columns]


def search_tags_for(params: dict) -> list[str]:
    """The tags of one search's cached matches: its make (or, for a radius search without a make, the areas
    its box covers), and the state guide for `registrable_in`."""
    make = params.get("make") or ""
    areas = None
    if not make and params.get("origin") and params.get("radius"):
        areas = _area_tags(params["origin"], params["radius"])
    tags = [search_tag(make)] if areas is None else [*areas, GEO_ALL]
    if params.get("registrable_in"):
        tags.append(cache_tags.state(params["registrable_in"]))
    return tags


Place = tuple[float | None, float | None]


def listing_changed(
    pk: int, *, makes: Iterable[str] = (), search: bool = True, places: Iterable[Place] | None = None
) -> None:
    """Fire the tags of a listing write (now and on commit). `makes`: the listing's make before and after
    the write; `places`: its (lat, lng) before and after (None: unknown, every radius search); `search=False`
    for a write no search can see (photos, questions)."""
    listings_changed([pk], makes=makes, search=search, places=places)


def listings_changed(
    pks: Iterable[int], *, makes: Iterable[str] = (), search: bool = True, places: Iterable[Place] | None = None
) -> None:
    tags = [cache_tags.listing(pk) for pk in pks]
    if search:
        tags += [search_tag(""), *(search_tag(make) for make in makes if make)]
        if places is None:
            tags.append(GEO_ALL)
        else:
            tags += [area_tag(lat, lng) for lat, lng in places if lat is not None and lng is not None]
    cache_tags.invalidate(*tags)


def member_changed(pk: int, *, makes: Iterable[str] = (), listings: Iterable[int] = ()) -> None:
    """Fire the tags of a change to what the marketplace shows of a member (dealer profile, suspension): every
    part naming them, the searches their trucks are in and, given their ids, their trucks' cards and pages."""
    cache_tags.invalidate(
        cache_tags.member(pk),
        search_tag(""),
        GEO_ALL,
        *(search_tag(make) for make in makes if make),
        *(cache_tags.listing(listing) for listing in listings),
    )

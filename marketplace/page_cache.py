"""The marketplace's use of the cache layer (kei_community.core.caching): what its writes invalidate and
which query parameters its cached pages understand.

A listing write fires its listing tag (its page, its card, its detail parts). Only a write that can
change what a search matches, how it sorts or its facets (SEARCH_FIELDS) also fires the search tags:
the cached matches of searches filtered on the listing's make, and of searches without a make filter.
A photo, a question or its answer, a favourite or a view never clears a search.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def search_tags_for(params: dict) -> list[str]:
    """The tags of one search's cached matches (its make, and the state guide for `registrable_in`)."""
    tags = [search_tag(params.get("make") or "")]
    if params.get("registrable_in"):
        tags.append(cache_tags.state(params["registrable_in"]))
    return tags


def listing_changed(pk: int, *, makes: Iterable[str] = (), search: bool = True) -> None:
    """Fire the tags of a listing write (now and on commit). `makes`: the listing's make before and after
    the write; `search=False` for a write no search can see (photos, questions)."""
    listings_changed([pk], makes=makes, search=search)


def listings_changed(pks: Iterable[int], *, makes: Iterable[str] = (), search: bool = True) -> None:
    tags = [cache_tags.listing(pk) for pk in pks]
    if search:
        tags += [search_tag(""), *(search_tag(make) for make in makes if make)]
    cache_tags.invalidate(*tags)


def member_changed(pk: int, *, makes: Iterable[str] = (), listings: Iterable[int] = ()) -> None:
    """Fire the tags of a change to what the marketplace shows of a member (dealer profile, suspension): every
    part naming them, the searches their trucks are in and, given their ids, their trucks' cards and pages."""
    cache_tags.invalidate(
        cache_tags.member(pk),
        search_tag(""),
        *(search_tag(make) for make in makes if make),
        *(cache_tags.listing(listing) for listing in listings),
    )

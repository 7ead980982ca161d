"""HTML fragments of result pages. Listing cards for result grids, rendered once per version of a listing and reused by every viewer.

The cached part of a card is everything that depends only on the listing (title, price, badges, cover
photo, facts). It is keyed on what it shows: the listing's `updated_at`, status, seller type, chassis
code and its photos' state, so an edit, a processed photo or a status change renders it again; the
per-search and per-viewer bits (distance, the favourite button) are filled into slots per request.
One `get_many` per page reads the cards; only the missing ones are rendered (and `set_many`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache import cache
from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from marketplace import page_cache
from marketplace.filters import ORDERING_LABELS
from marketplace.models import Listing

CARD_TEMPLATE = "marketplace/includes/listing_card.html"
CARD_TTL = 60 * 60
CARD_VERSION = 3  # bump when listing_card.html or a cached results block changes
DISTANCE_SLOT = "<!--mkt:distance-->"
FOOTER_SLOT = "<!--mkt:footer-->"
_PK_SENTINEL = 987654321
SETTLED_PHOTO_STATES = ("ready", "failed")


def photos_by_listing(listings: list[Listing]) -> dict[int, list[Any]]:
    """Each listing's photos in display order: from a `photos` prefetch when there is one, else one query
    for the page (cheaper than a generic-relation prefetch, which builds a queryset per listing)."""
    from django.contrib.contenttypes.models import ContentType

    from kei_community.media.models import Photo

    out: dict[int, list[Any]] = {}
    need = []
    for obj in listings:
        cached = getattr(obj, "_prefetched_objects_cache", {}).get("photos")
        if cached is not None:
            out[obj.pk] = sorted(cached, key=lambda p: (p.position, p.pk))
        else:
            out[obj.pk] = []
            need.append(obj.pk)
    if need:
        ct = ContentType.objects.get_for_model(Listing)
        for photo in Photo.objects.filter(owner_type=ct, owner_id__in=need).order_by("position", "id"):
            out[photo.owner_id].append(photo)
    return out


def photo_signatures(listings: list[Listing]) -> dict[int, list[tuple[Any, ...]]]:
    """What the cards show of each listing's photos (id, status, position, cover, alt), in display order:
    from a `photos` prefetch when there is one, else one light query for the page."""
    from django.contrib.contenttypes.models import ContentType

    from kei_community.media.models import Photo

    out: dict[int, list[tuple[Any, ...]]] = {}
    need = []
    for obj in listings:
        cached = getattr(obj, "_prefetched_objects_cache", {}).get("photos")
        if cached is not None:
            items = sorted(cached, key=lambda p: (p.position, p.pk))
            out[obj.pk] = [(p.pk, p.status, p.position, p.is_cover, p.alt) for p in items]
        else:
            out[obj.pk] = []
            need.append(obj.pk)
    if need:
        ct = ContentType.objects.get_for_model(Listing)
        rows = (
            Photo.objects.filter(owner_type=ct, owner_id__in=need)
            .order_by("position", "id")
            .values_list("owner_id", "id", "status", "position", "is_cover", "alt")
        )
        for owner_id, *sig in rows:
            out[owner_id].append(tuple(sig))
    return out


def card_key(listing: Listing, photos: list[tuple[Any, ...]]) -> str:
    signature = repr(
        (
            listing.pk,
            listing.updated_at.isoformat() if listing.updated_at else "",
            listing.status,
            listing.seller_type,
            listing.chassis_code.code if listing.chassis_code_id and listing.chassis_code else "",
            photos,
        )
    )
    digest = hashlib.sha256(signature.encode()).hexdigest()[:24]
    return f"mkt:card:{CARD_VERSION}:{listing.pk}:{digest}"


_FOOTER_FAVORITE = (
    '<input type="hidden" name="remove" value="1">\n  <button type="submit" class="btn btn-sm btn-warning" '
    'aria-pressed="true">★ Favourite<span class="visually-hidden"> (remove {title} from favourites)</span></button>'
)
_FOOTER_SAVE = (
    '<button type="submit" class="btn btn-sm btn-outline-secondary" aria-pressed="false">☆ Save'
    '<span class="visually-hidden"> {title} to favourites</span></button>'
)
_FOOTER = (
    '<div class="card-footer bg-transparent border-0 pt-0"><form method="post" action="{action}" hx-post="{action}" '
    'hx-swap="outerHTML" class="favorite-form d-inline">\n  '
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}"><input type="hidden" name="next" value="{next}">\n'
    "  {inner}\n</form></div>"
)


def _favorite_footer(title: str, *, is_favorite: bool, action: str, next_url: str, csrf_token: str) -> SafeString:
    """The favourite button of one card. Plain formatting over values escaped here (format_html for
    twenty cards a page was a measurable share of a signed-in search page)."""
    inner = (_FOOTER_FAVORITE if is_favorite else _FOOTER_SAVE).format(title=escape(title))
    html = _FOOTER.format(action=escape(action), csrf=escape(csrf_token), next=escape(next_url), inner=inner)
    return mark_safe(html)  # noqa: S308 - every interpolated value is escaped above


def render_cards(
    listings: Iterable[Listing],
    *,
    viewer: Any,
    favorite_ids: set[int] | frozenset[int] = frozenset(),
    next_url: str = "",
    csrf_token: str = "",
) -> list[SafeString]:
    """The HTML of one card per listing (same markup as listing_card.html with a favourite button)."""
    return fill_footers(
        card_bodies(listings), viewer=viewer, favorite_ids=favorite_ids, next_url=next_url, csrf_token=csrf_token
    )


def card_bodies(listings: Iterable[Listing]) -> list[tuple[str, int, int, str, bool]]:
    """The viewer-independent part of each card: (HTML with the distance filled in and the footer slot
    left open, listing id, seller id, title, settled). Settled means no photo of it is still waiting to
    be processed, so the HTML stays right until the listing's next write; see `fill_footers`."""
    listings = list(listings)
    if not listings:
        return []
    signatures = photo_signatures(listings)
    keys = [card_key(obj, signatures[obj.pk]) for obj in listings]
    found: dict[str, str] = cache.get_many(keys)
    to_render = [(obj, key) for obj, key in zip(listings, keys, strict=True) if key not in found]
    missing = {}
    if to_render:
        # Listings loaded with only() (search pages) are read in full for the cards to render.
        partial = [obj.pk for obj, _ in to_render if obj.get_deferred_fields()]
        full = Listing.objects.select_related("chassis_code").in_bulk(partial) if partial else {}
        objs = [full.get(obj.pk, obj) for obj, _ in to_render]
        photos = photos_by_listing(objs)
        template = get_template(CARD_TEMPLATE)
        for obj, (_, key) in zip(objs, to_render, strict=True):
            items = photos[obj.pk]
            cover = next((p for p in items if p.is_cover), items[0]) if items else None
            missing[key] = template.render({"listing": obj, "cover": cover})
    if missing:
        cache.set_many(missing, CARD_TTL)
        found.update(missing)
    out = []
    for obj, key in zip(listings, keys, strict=True):
        distance = getattr(obj, "distance", None)
        html = found[key].replace(
            DISTANCE_SLOT, f" · {floatformat(distance, 0)} mi away" if distance is not None else ""
        )
        settled = all(sig[1] in SETTLED_PHOTO_STATES for sig in signatures[obj.pk])
        out.append((html, obj.pk, obj.seller_id, obj.title, settled))
    return out


def fill_footers(
    bodies: list[tuple[str, int, int, str, bool]],
    *,
    viewer: Any,
    favorite_ids: set[int] | frozenset[int] = frozenset(),
    next_url: str = "",
    csrf_token: str = "",
) -> list[SafeString]:
    """Cards from `card_bodies` with the per-viewer favourite button (signed-in non-sellers only)."""
    signed_in = bool(viewer is not None and viewer.is_authenticated)
    action_template = reverse("marketplace:favorite-toggle", args=[_PK_SENTINEL]) if signed_in and bodies else ""
    out = []
    for html, pk, seller_id, title, _settled in bodies:
        footer: str = ""
        if signed_in and viewer.pk != seller_id:
            footer = _favorite_footer(
                title,
                is_favorite=pk in favorite_ids,
                action=action_template.replace(str(_PK_SENTINEL), str(pk)),
                next_url=next_url,
                csrf_token=csrf_token,
            )
        out.append(mark_safe(html.replace(FOOTER_SLOT, footer)))  # noqa: S308 - rendered by our templates
    return out


FACETS_TTL = 60
MAP_FACETS = ("state",)  # shown on the "Trucks by state" map, not in the "Refine" block


def facets_fragment(*, facets: list[dict[str, Any]], ranges: dict[str, Any], query: QueryDict) -> SafeString:
    """The "Refine" block of a search page: each facet value links to the search with that filter set.

    Built in Python (no per-value template nodes) and cached for FACETS_TTL per search (query string
    without the page) and listing-data version, so a change to any listing shows at once."""

    base = repr(sorted((k, v) for k, v in query.lists() if k != "page"))
    version = page_cache.version()
    key = f"mkt:facets:{CARD_VERSION}:{version}:{hashlib.sha256(base.encode()).hexdigest()[:32]}"
    cacheable = not query.get("registrable_in")  # like the search cache: depends on the state guide
    html = cache.get(key) if cacheable else None
    if html is not None:
        return mark_safe(html)  # noqa: S308 - built with format_html below
    query_no_page = query.copy()
    query_no_page.pop("page", None)
    facets = [facet for facet in facets if facet["name"] not in MAP_FACETS]
    columns = []
    for facet in facets:
        if not facet["values"]:
            continue
        items = []
        for value in facet["values"]:
            q = query_no_page.copy()
            q[facet["name"]] = value["value"]
            items.append(
                format_html(
                    '<li><a href="?{}" class="facet-link" data-facet="{}" data-value="{}">{}</a> '
                    '<span class="text-body-secondary">({})</span></li>',
                    q.urlencode(),
                    facet["name"],
                    value["value"],
                    value["label"],
                    value["count"],
                )
            )
        columns.append(
            format_html(
                '\n      <div class="col"><h3 class="h6">{}</h3>\n        <ul class="list-unstyled small mb-0">\n'
                "        {}\n        </ul></div>",
                facet["label"],
                mark_safe("".join(items)),  # noqa: S308 - each item built with format_html
            )
        )
    summary = format_html("Refine ({} facets)", len(facets))
    if ranges.get("price_min"):
        summary = format_html(
            "{} · prices ${}–${}, years {}–{}",
            summary,
            intcomma(ranges["price_min"]),
            intcomma(ranges["price_max"]),
            ranges.get("year_min"),
            ranges.get("year_max"),
        )
    html = format_html(
        '<details class="mb-3 facets">\n    <summary>{}</summary>\n    '
        '<div class="row row-cols-1 row-cols-md-3 g-2 mt-1">{}\n    </div>\n  </details>',
        summary,
        mark_safe("".join(columns)),  # noqa: S308 - each column built with format_html
    )
    if cacheable:
        cache.set(key, str(html), FACETS_TTL)
    return html


# Shades of the "Trucks by state" map: (smallest count, class suffix, legend text), largest first.
MAP_SHADES = ((11, "4", "11+"), (6, "3", "6–10"), (3, "2", "3–5"), (1, "1", "1–2"), (0, "0", "0"))
_MAP_LINK = '<a class="mkt-map-cell" href="?{}" title="{}">{}</a>'
_MAP_LINK_CURRENT = '<a class="mkt-map-cell" href="?{}" title="{}" aria-current="true">{}</a>'
_MAP_MUTED = '<span class="mkt-map-cell" title="{}">{}</span>'


def _trucks(count: int) -> str:
    return f"{count} truck{'s' if count != 1 else ''}" if count else "no trucks"


def state_map_fragment(*, facets: list[dict[str, Any]], total: int, current: str, query: QueryDict) -> SafeString:
    """The "Trucks by state" map of a search page, drawn from the search's state facet (no query of its own).

    One tile per jurisdiction on the state guide's grid (`stategide.tiles.TILE_POSITIONS`, placed by the
    `tile-rN tile-cN` classes), shaded by its number of matches. A tile with matches links to the search
    with `state` set (other filters kept, page dropped); a tile without is muted and not a link. `current`
    is the searched state: its tile is marked and an "All states" link drops the filter."""
    try:
        from stategide.tiles import TILE_POSITIONS
    except ImportError:  # the state guide is optional; so is its map layout
        return SafeString("")
    from kei_community.core.us import US_STATES

    counts: dict[str, int] = next(
        ({v["value"]: v["count"] for v in facet["values"]} for facet in facets if facet["name"] == "state"), {}
    )
    query_no_page = query.copy()
    query_no_page.pop("page", None)
    tiles = []
    for code, (row, col) in TILE_POSITIONS.items():
        count = counts.get(code, 0)
        shade = next(suffix for low, suffix, _ in MAP_SHADES if count >= low)
        label = f"{US_STATES.get(code, code)}: {_trucks(count)}"
        inner = format_html(
            '<span class="mkt-map-code">{}</span> <span class="mkt-map-count">{}</span>'
            '<span class="visually-hidden"> ({})</span>',
            code,
            count,
            label,
        )
        if count:
            q = query_no_page.copy()
            q["state"] = code
            cell = format_html(_MAP_LINK_CURRENT if code == current else _MAP_LINK, q.urlencode(), label, inner)
        else:
            cell = format_html(_MAP_MUTED, label, inner)
        tiles.append(
            format_html(
                '<li class="mkt-map-tile mkt-map-l{}{} tile-r{} tile-c{}">{}</li>',
                shade,
                " mkt-map-current" if code == current and count else "",
                row,
                col,
                cell,
            )
        )
    notes = []
    if current:
        q = query_no_page.copy()
        q.pop("state", None)
        notes.append(
            format_html('Showing {}. <a href="?{}">All states</a>', US_STATES.get(current, current), q.urlencode())
        )
    unmapped = total - sum(counts.get(code, 0) for code in TILE_POSITIONS)
    if unmapped > 0:
        verb = "is" if unmapped == 1 else "are"
        notes.append(format_html("{} without a US location {} not on the map.", _trucks(unmapped), verb))
    return format_html(
        '<details class="mb-3 mkt-map"{}>\n    <summary>Map: trucks by state</summary>\n    '
        '<p class="small mb-2 mt-1">Trucks matching this search in each state; choose a state to search it.{}</p>\n    '
        '<ul class="mkt-map-legend list-inline small mb-2" aria-label="Map legend">'
        '<li class="list-inline-item">Trucks per state:</li>{}</ul>\n    '
        '<ul class="mkt-map-grid" aria-label="Trucks by state">{}</ul>\n  </details>',
        " open" if current else "",
        format_html_join("", " {}", ((note,) for note in notes)),
        format_html_join(
            "",
            '<li class="list-inline-item"><span class="mkt-map-swatch mkt-map-l{}">{}</span></li>',
            ((suffix, text) for _, suffix, text in reversed(MAP_SHADES)),
        ),
        mark_safe("".join(tiles)),  # noqa: S308 - each tile built with format_html
    )


RADIUS_CHOICES = ("25", "50", "100", "250", "500", "1000")
FILTER_SELECTS = (
    ("drive", Listing.Drive.choices), ("transmission", Listing.Transmission.choices),
    ("bed_type", Listing.BedType.choices), ("title_status", Listing.TitleStatus.choices),
    ("location_status", Listing.LocationStatus.choices), ("seller_type", Listing.SellerType.choices),
)  # fmt: skip
FILTER_LABELS = {"location_status": "Where it is", "seller_type": "Seller"}


def _options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    return mark_safe(  # noqa: S308 - each option built with format_html
        "".join(
            format_html('<option value="{}"{}>{}</option>', value, " selected" if selected == value else "", label)
            for value, label in choices
        )
    )


def search_form_options(*, params: dict[str, Any], query: QueryDict) -> dict[str, Any]:
    """The search form's <option> lists with the current choice selected (no per-option template nodes)."""
    return {
        "selects": [
            {
                "name": name,
                "label": FILTER_LABELS.get(name, name.replace("_status", "").replace("_type", "")),
                "options": _options(choices, params.get(name)),
            }
            for name, choices in FILTER_SELECTS
        ],
        "radius_options": _options(((r, r) for r in RADIUS_CHOICES), query.get("radius")),
        "ordering_options": _options(ORDERING_LABELS.items(), params.get("ordering")),
    }


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

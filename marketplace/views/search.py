"""The search page: the results block (cached per search), the reader's cards, facets and map."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from kei_community.core import caching, slots
from kei_community.core.page_cache import anonymous_page_cache, cacheable_context
from kei_community.core.types import AppHttpRequest
from marketplace import page_cache, selectors
from marketplace.cards import (
    card_bodies,
    distance_text,
    facets_html,
    fill_cards,
    search_page_urls,
    state_map_html,
)
from marketplace.filters import parse_search_params
from marketplace.models import Listing
from marketplace.search import active_filters, form_fields, widen_links


@anonymous_page_cache(region="marketplace.page", query=page_cache.SEARCH_QUERY, statuses=(200, 400))
def index(request: AppHttpRequest) -> HttpResponse:
    params, errors = parse_search_params(request.GET)
    viewer_state = getattr(request.user, "home_state", "") if request.user.is_authenticated else ""
    result, block, loaded = _results_block(request, params, errors)
    cards = block["cards"]
    context = {
        "params": params,
        "errors": errors,
        "result": result,
        "cards": fill_cards(
            cards,
            card_bodies(cards, listings=loaded),
            viewer=request.user,
            favorite_ids=result.favorite_ids,
            next_url=request.get_full_path(),
            csrf_token=get_token(request) if request.user.is_authenticated else "",
        ),
        "facets_html": mark_safe(block["facets_html"]),  # noqa: S308 - rendered by listing_facets.html
        "map_html": mark_safe(block["map_html"]),  # noqa: S308 - rendered by listing_state_map.html
        "search_form_html": mark_safe(  # noqa: S308 - rendered by a template; the slot value is escaped
            slots.fill(block["form"], {"viewer_state_slot": viewer_state or "e.g. TX"}, escape=True)
        ),
        "urls": search_page_urls(),
        "query_string": request.GET.urlencode(),
        "viewer_state": viewer_state,
        "active_filters": block["chips"],
        "widen": block["widen"],
        "saved_search_name": params.get("q") or "My kei search",
        "corrected_q": block.get("corrected_q", ""),
    }
    template = (
        "marketplace/includes/listing_results.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted
        else "marketplace/listing_list.html"
    )
    return render(
        request, template, cacheable_context(request, context), status=400 if errors and not result.total else 200
    )


def _results_block(
    request: AppHttpRequest, params: dict[str, Any], errors: dict[str, str]
) -> tuple[selectors.SearchResult, dict[str, Any], list[Listing]]:
    """The reader-independent part of a results page (the page's listings, facets, the trucks-by-state map,
    page numbers, the filter form with the reader's home state cut out), cached per search (the parameters
    the page understands) in region "marketplace.results" under the search's tags; the cards are cached
    apiece (marketplace.cards). Per request only the viewer's favourites and home state. Also returns the
    rows loaded when the block was built (the cards to render are among them)."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key in page_cache.SEARCH_QUERY:
            query.setlist(key, values)
    loaded: list[Listing] = []

    def build() -> dict[str, Any]:
        found = selectors.listing_search(params=params, viewer=None, page_qs=selectors.listing_card_page_qs())
        loaded.extend(found.listings)
        return {
            "cards": [[obj.pk, obj.seller_id, distance_text(getattr(obj, "distance", None))] for obj in found.listings],
            "total": found.total,
            "total_capped": found.total_capped,
            "corrected_q": found.q_corrected,
            # The "Remove" chips and an empty search's widen links depend on the search alone.
            "chips": [a for a in active_filters(query, params) if a["applied"]],
            "widen": widen_links(query, params) if not found.total else [],
            "page": found.page,
            "num_pages": found.num_pages,
            "facets_html": facets_html(facets=found.facets, ranges=found.ranges, query=query),
            "map_html": state_map_html(
                facets=found.facets, total=found.total, current=params.get("state") or "", query=query
            ),
            "form": slots.render_slotted(
                "marketplace/includes/listing_search_form.html",
                {
                    "query": query,
                    "errors": errors,
                    "facets": found.facets,
                    "form": form_fields(params=params, query=query, facets=found.facets),
                    "urls": search_page_urls(),
                },
                ["viewer_state_slot"],
            ),
        }

    # single_flight: after a write fires the search's tags, one process builds the block again while the
    # others serve the last one (not the matches alone: every reader would still render the facets and map).
    block = caching.get_or_build(
        "marketplace.results",
        query.urlencode(),
        build,
        tags=page_cache.search_tags_for(params),
        single_flight=True,
        local=True,
    )
    ids = [pk for pk, _, _ in block["cards"]]
    result = selectors.SearchResult(
        [],
        block["total"],
        block["page"],
        block["num_pages"],
        favorite_ids=selectors.favorite_ids_for(viewer=request.user, listing_ids=ids),
        total_capped=block.get("total_capped", False),
    )
    return result, block, loaded


def search_url(params: dict[str, Any]) -> str:
    return reverse("marketplace:index") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

"""Thin views: parse input, call services/selectors, render.

A package by area; this module re-exports every name so `marketplace.views.x` (urls.py, messages_urls.py)
keeps working. Patch a name where it is looked up: in its submodule (for example
`marketplace.views.search.state_map_html`), not here."""

from __future__ import annotations

from marketplace.views.common import (
    _errors_to_form,
    _flash_error,
    _owned_listing,
    _public_listing,
)
from marketplace.views.conversations import (
    contact_seller,
    conversation_detail,
    conversation_list,
)
from marketplace.views.dashboard import (
    dashboard,
    dealer_detail,
    dealer_edit,
    price_comps,
)
from marketplace.views.detail import (
    DETAIL_FRAGMENTS,
    LISTING_PRIVATE_FIELDS,
    _count_cached_view,
    _listing_page_data,
    _render_detail_fragments,
    _with_asker_names,
    listing_detail,
    listing_redirect,
)
from marketplace.views.listings import (
    _add_photos,
    listing_delete,
    listing_edit,
    listing_photo_action,
    listing_photos,
    listing_photos_order,
    listing_publish,
    listing_status,
)
from marketplace.views.moderation import (
    listing_review,
)
from marketplace.views.questions import (
    question_answer,
    question_ask,
)
from marketplace.views.saved import (
    favorite_list,
    favorite_toggle,
    saved_search_change,
    saved_search_list,
)
from marketplace.views.search import (
    _results_block,
    index,
    search_url,
)

__all__ = [
    "_errors_to_form",
    "_flash_error",
    "_owned_listing",
    "_public_listing",
    "index",
    "_results_block",
    "search_url",
    "listing_redirect",
    "DETAIL_FRAGMENTS",
    "_render_detail_fragments",
    "LISTING_PRIVATE_FIELDS",
    "_with_asker_names",
    "_listing_page_data",
    "_count_cached_view",
    "listing_detail",
    "_add_photos",
    "listing_edit",
    "listing_photos",
    "listing_photos_order",
    "listing_photo_action",
    "listing_publish",
    "listing_status",
    "listing_delete",
    "favorite_toggle",
    "favorite_list",
    "question_ask",
    "question_answer",
    "contact_seller",
    "saved_search_list",
    "saved_search_change",
    "dashboard",
    "price_comps",
    "dealer_detail",
    "dealer_edit",
    "listing_review",
    "conversation_list",
    "conversation_detail",
]

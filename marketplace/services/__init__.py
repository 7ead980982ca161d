"""Writes for the marketplace. Permissions are checked here; Celery work is enqueued after commit.

A package by subdomain; this module re-exports every name so `from marketplace.services import x` and
`marketplace.services.x` keep working. Patch a name where it is looked up: in its submodule (for example
`marketplace.services.listings.zip_lookup`), not here. A listing's field rules (ranges, required fields,
LISTING_FIELDS) live in `marketplace.listing_fields` and are not re-exported here."""

from __future__ import annotations

from marketplace.keys import VIEWS_BATCH, views_key
from marketplace.services.dealers import (
    dealer_profile_save,
)
from marketplace.services.favorites import (
    favorite_add,
    favorite_remove,
)
from marketplace.services.listings import (
    _apply,
    _clean_data,
    _save,
    listing_create,
    listing_delete,
    listing_mark_sold,
    listing_min_ready_photos,
    listing_publish,
    listing_renew,
    listing_set_status,
    listing_update,
    publish_problems,
)
from marketplace.services.messages import (
    SCAM_PATTERNS,
    SCAM_WARNING,
    _check_message_cap,
    conversation_mark_read,
    conversation_start,
    message_send,
)
from marketplace.services.moderation import (
    REMOVED_DEFAULT_REASON,
    _enqueue_alerts,
    listing_approve,
    listing_hide,
    listing_photos_changed,
    listing_put_back,
    listing_remove,
    listing_restore,
    listing_take_down,
    member_moderated,
    message_put_back,
    message_take_down,
    question_put_back,
    question_take_down,
)
from marketplace.services.periodic import (
    listings_expire,
    listings_send_expiry_reminders,
    price_drop_notify,
    saved_search_alerts_for_listing,
    saved_searches_send_digest,
)
from marketplace.services.photos import (
    _check_photo_cap,
    listing_photo_add,
    listing_photo_delete,
    listing_photo_set_cover,
    listing_photos_reorder,
)
from marketplace.services.questions import (
    question_answer,
    question_ask,
    question_hide,
    question_restore,
)
from marketplace.services.rules import (
    OWNER_TRANSITIONS,
    PRICE_DROP_TASK,
    SAVED_SEARCH_ALERTS_TASK,
    Status,
    _changed,
    _check_owner,
    is_seller,
    listing_ttl_days,
    logger,
    send_task,
)
from marketplace.services.saved_searches import (
    _querydict,
    saved_search_create,
    saved_search_delete,
    saved_search_update,
)
from marketplace.services.views_counter import (
    listing_record_view,
    listing_views_flush,
)

__all__ = [
    "logger",
    "Status",
    "OWNER_TRANSITIONS",
    "listing_ttl_days",
    "is_seller",
    "_check_owner",
    "_changed",
    "PRICE_DROP_TASK",
    "SAVED_SEARCH_ALERTS_TASK",
    "send_task",
    "_clean_data",
    "_apply",
    "_save",
    "listing_create",
    "listing_update",
    "listing_min_ready_photos",
    "publish_problems",
    "listing_publish",
    "listing_renew",
    "listing_set_status",
    "listing_mark_sold",
    "listing_delete",
    "VIEWS_BATCH",
    "views_key",
    "listing_record_view",
    "listing_views_flush",
    "listing_hide",
    "listing_restore",
    "listing_approve",
    "_enqueue_alerts",
    "listing_remove",
    "REMOVED_DEFAULT_REASON",
    "listing_take_down",
    "listing_put_back",
    "listing_photos_changed",
    "question_take_down",
    "question_put_back",
    "message_take_down",
    "message_put_back",
    "member_moderated",
    "_check_photo_cap",
    "listing_photo_add",
    "listing_photos_reorder",
    "listing_photo_delete",
    "listing_photo_set_cover",
    "favorite_add",
    "favorite_remove",
    "saved_search_create",
    "saved_search_update",
    "saved_search_delete",
    "_querydict",
    "SCAM_PATTERNS",
    "SCAM_WARNING",
    "_check_message_cap",
    "conversation_start",
    "message_send",
    "conversation_mark_read",
    "question_ask",
    "question_answer",
    "question_hide",
    "question_restore",
    "dealer_profile_save",
    "listings_expire",
    "listings_send_expiry_reminders",
    "price_drop_notify",
    "saved_search_alerts_for_listing",
    "saved_searches_send_digest",
]

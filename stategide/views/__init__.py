"""State guide pages. Thin views: selectors read, services write, templates render.

A package by area; this module re-exports every name so `stategide.views.x` (urls.py) keeps working."""

from __future__ import annotations

from stategide.views.common import (
    _count_cached_view,
    _errors_to_messages,
    _page_or_404,
    _revision_or_404,
    anonymous_cache,
    state_page_cache,
)
from stategide.views.editing import (
    _apply_service_errors,
    _citation_formset,
    _proposed_changes,
    _rebase_context,
    edit_proposal,
    propose,
    rebase,
    watch,
)
from stategide.views.events import (
    _event_data,
    event_add,
    event_edit,
)
from stategide.views.moderation import (
    protect,
    review,
    rollback,
    verify,
    verify_queue,
)
from stategide.views.reading import (
    SORT_COLUMNS,
    about,
    detail,
    diff,
    history,
    index,
    index_csv,
    revision_detail,
)

__all__ = [
    "anonymous_cache",
    "_count_cached_view",
    "state_page_cache",
    "_page_or_404",
    "_revision_or_404",
    "_errors_to_messages",
    "SORT_COLUMNS",
    "index",
    "index_csv",
    "detail",
    "history",
    "diff",
    "revision_detail",
    "about",
    "_apply_service_errors",
    "_proposed_changes",
    "_citation_formset",
    "propose",
    "_rebase_context",
    "edit_proposal",
    "rebase",
    "watch",
    "review",
    "rollback",
    "verify",
    "verify_queue",
    "protect",
    "_event_data",
    "event_add",
    "event_edit",
]

"""Every forum write. Permissions are checked here; views and the API only call these.

A package by subdomain; this module re-exports every name so `from forum.services import x` and
`forum.services.x` keep working. Patch a name where it is looked up: in its submodule (for example
`forum.services.posts._notify`), not here."""

from __future__ import annotations

from forum.services.counters import (
    _changed,
    _count_new_post,
    categories_changed,
    category_recount,
    counters_repair,
    thread_recount,
)
from forum.services.moderation import (
    thread_lock,
    thread_mark_solved,
    thread_merge,
    thread_move,
    thread_pin,
    thread_split,
)
from forum.services.notify import (
    _notify,
    silenced_ids,
)
from forum.services.posts import (
    check_can_edit,
    check_can_reply,
    post_add_photo,
    post_approve,
    post_create,
    post_delete,
    post_edit,
    post_hide,
    post_photos_changed,
    post_restore,
    post_unhide,
)
from forum.services.reactions import (
    _reaction_title,
    reaction_toggle,
)
from forum.services.rules import (
    MAX_PHOTOS_PER_POST,
    MAX_TAGS,
    NEW_ACCOUNT_MAX_MENTIONS,
    STATE_NAMES,
    _attach_photo,
    _check_posting_limits,
    _clean_body,
    _model_tag,
    _require_member,
    _set_tags,
    _setting,
    _update_search,
    _users,
    is_moderator,
    resolve_tags,
)
from forum.services.threads import (
    thread_create,
    thread_update,
)
from forum.services.watching import (
    _set_state,
    bookmark_toggle,
    category_set_level,
    thread_mark_read,
    thread_set_level,
)

__all__ = [
    "MAX_TAGS",
    "MAX_PHOTOS_PER_POST",
    "NEW_ACCOUNT_MAX_MENTIONS",
    "STATE_NAMES",
    "_setting",
    "is_moderator",
    "_require_member",
    "_check_posting_limits",
    "_clean_body",
    "resolve_tags",
    "_model_tag",
    "_set_tags",
    "_update_search",
    "_attach_photo",
    "_users",
    "thread_recount",
    "category_recount",
    "categories_changed",
    "counters_repair",
    "_changed",
    "_count_new_post",
    "silenced_ids",
    "_notify",
    "_set_state",
    "thread_mark_read",
    "thread_set_level",
    "category_set_level",
    "bookmark_toggle",
    "thread_pin",
    "thread_lock",
    "thread_move",
    "thread_merge",
    "thread_split",
    "thread_mark_solved",
    "check_can_reply",
    "post_create",
    "check_can_edit",
    "post_edit",
    "post_add_photo",
    "post_delete",
    "post_restore",
    "post_approve",
    "post_hide",
    "post_photos_changed",
    "post_unhide",
    "_reaction_title",
    "reaction_toggle",
    "thread_create",
    "thread_update",
]

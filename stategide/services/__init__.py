"""Writes for the state guide. Every function checks permissions itself.

A package by subdomain; this module re-exports every name so `from stategide.services import x` and
`stategide.services.x` keep working. Patch a name where it is looked up: in its submodule (for example
`stategide.services.reminders.moderators`), not here."""

from __future__ import annotations

from stategide.services.events import (
    EVENT_FIELDS,
    _event_data,
    _event_snapshot,
    event_add,
    event_delete,
    event_update,
)
from stategide.services.pages import (
    VIEWS_BATCH,
    page_protect,
    page_record_view,
    page_unprotect,
)
from stategide.services.reference import (
    _reference_summary,
    _same_content,
    reference_edition_apply,
)
from stategide.services.reminders import (
    moderators,
    send_moderator_reminders,
)
from stategide.services.revisions import (
    SUMMARY_RULE_MESSAGE,
    PublishRevisionAction,
    _check_sources_and_summary,
    _check_summary_rule,
    _dedupe,
    conflicting_fields,
    page_rollback,
    rebased_content,
    revision_approve,
    revision_is_stale,
    revision_propose,
    revision_rebase,
    revision_reject,
    revision_update_pending,
)
from stategide.services.rules import (
    MAX_CITATIONS,
    MAX_PROTECTION_DAYS,
    REFERENCE_ACCOUNT_EMAIL,
    REFERENCE_ACCOUNT_NAME,
    _apply,
    _build_citations,
    _citation_keys,
    _clean_list,
    _content_of,
    _locked_page,
    _next_number,
    _normalise,
    _save_revision,
    check_can_propose,
    logger,
    reference_account,
)
from stategide.services.verification import (
    page_verify,
)
from stategide.services.watching import (
    watch_set,
)

__all__ = [
    "logger",
    "MAX_CITATIONS",
    "MAX_PROTECTION_DAYS",
    "check_can_propose",
    "_content_of",
    "_clean_list",
    "_build_citations",
    "_next_number",
    "_locked_page",
    "_save_revision",
    "_apply",
    "_normalise",
    "REFERENCE_ACCOUNT_EMAIL",
    "REFERENCE_ACCOUNT_NAME",
    "reference_account",
    "_citation_keys",
    "watch_set",
    "moderators",
    "send_moderator_reminders",
    "revision_propose",
    "_dedupe",
    "SUMMARY_RULE_MESSAGE",
    "_check_summary_rule",
    "_check_sources_and_summary",
    "revision_update_pending",
    "revision_is_stale",
    "rebased_content",
    "conflicting_fields",
    "revision_rebase",
    "PublishRevisionAction",
    "revision_approve",
    "revision_reject",
    "page_rollback",
    "page_verify",
    "VIEWS_BATCH",
    "page_record_view",
    "page_protect",
    "page_unprotect",
    "EVENT_FIELDS",
    "_event_data",
    "_event_snapshot",
    "event_add",
    "event_update",
    "event_delete",
    "_same_content",
    "_reference_summary",
    "reference_edition_apply",
]

"""What the state guide plugs into shared registries (registered in StategideConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from kei_community.core import cache_tags, caching
from kei_community.core.us import US_STATES
from stategide import selectors
from stategide.models import Revision
from stategide.tiles import legend, tiles_for


def home_sections(request: Any) -> dict[str, SafeString]:
    """A small tile map for the home page, cached in region "guide.data" under the STATES tag (0 queries when warm)."""

    def build() -> str:
        outlooks = list(selectors.registration_outlooks().values())
        return render_to_string(
            "stategide/includes/home_map.html",
            {"tiles": tiles_for(outlooks), "legend": legend(), "compact": True},
        )

    html = caching.get_or_build("guide.data", "home_map", build, tags=[cache_tags.STATES])
    return {"state_map": mark_safe(html)}  # noqa: S308 - our own template output


def site_search(query: str, limit: int) -> dict[str, Any]:
    """Hook "site_search": the first `limit` state pages matching `query` and how many match (at most one per
    jurisdiction); when there are more than shown, a link to the guide's table of every state."""
    pages = selectors.search_pages(query=query, limit=len(US_STATES) + 10)
    results = [
        {
            "title": f"{page.name} state guide",
            "url": page.get_absolute_url(),
            "snippet": selectors.one_line(page.published_revision.summary) if page.published_revision else "",
        }
        for page in pages[:limit]
    ]
    more_url = reverse("stategide:index") if len(pages) > limit else ""
    return {
        "label": "State guide",
        "noun": "state page",
        "results": results,
        "count": len(pages),
        "count_capped": False,
        "more_url": more_url,
    }


def queue_items() -> list[dict[str, Any]]:
    """Pending proposals for the shared moderation queue."""
    return [
        {
            "app": "stategide",
            "kind": "Guide edit" + (" (conflicts)" if rev.conflicting else ""),
            "title": f"{rev.page.name}: {rev.edit_summary}",
            "url": rev.get_absolute_url(),
            "created_at": rev.created_at,
            "author": rev.author.public_name if rev.author else "",
        }
        for rev in selectors.pending_proposals()
    ]


# --- reports (kei_community.moderation) ------------------------------------------------


def revision_describe(revision: Revision) -> dict[str, Any]:
    """How a reported revision shows in the moderation queue (the link opens the revision page)."""
    return {
        "title": f"{revision.page.name} guide, revision {revision.number} ({revision.get_state_display().lower()}): "
        f"{revision.edit_summary}",
        "url": revision.get_absolute_url(),
        "app": "stategide",
        "excerpt": Truncator(revision.summary).chars(200),
    }


def revision_hide(revision: Revision) -> None:
    """Reports never blank a guide page: a moderator acts on them (reject the proposal, or restore
    an earlier revision). Revisions are reviewed before they are published, so nothing is hidden."""


def revision_restore(revision: Revision) -> None:
    """Nothing was hidden (see revision_hide)."""

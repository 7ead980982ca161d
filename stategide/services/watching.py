"""Members watching a state page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from stategide.models import (
    StatePage,
    Watch,
)

# --- watching --------------------------------------------------------------------------


def watch_set(*, user: Any, page: StatePage, watching: bool) -> Watch:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to watch a state.")
    watch, _ = Watch.objects.update_or_create(user=user, page=page, defaults={"watching": bool(watching)})
    return watch

"""The router every app's API uses: detail routes take an id (`[0-9]+`) unless the viewset says otherwise."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import SimpleRouter

from kei_community.core.ids import ID_REGEX


class IdRouter(SimpleRouter):
    """A SimpleRouter whose `{lookup}` is `[0-9]+` for viewsets looked up by pk or id.

    DRF's default (`[^/.]+`) lets "abc" reach get_object(); here it is a 404 before the view runs.
    A viewset keyed on something else (lookup_field = "code") or with its own lookup_value_regex
    keeps it. Views still read the id with kei_community.core.ids (a number past 2**63-1 matches).
    """

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        if lookup_field in ("pk", "id") and getattr(viewset, "lookup_value_regex", None) is None:
            lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
            # SimpleRouter's own attributes (not in the type stubs).
            value = ID_REGEX if self._use_regex else "id"  # type: ignore[attr-defined]  # path(): <id:...>
            return self._base_pattern.format(  # type: ignore[attr-defined]
                lookup_prefix=lookup_prefix, lookup_url_kwarg=lookup_url_kwarg, lookup_value=value
            )
        return super().get_lookup_regex(viewset, lookup_prefix)

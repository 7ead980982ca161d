"""Saved searches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError

from marketplace.models import SavedSearch

if TYPE_CHECKING:
    from django.http import QueryDict


def saved_search_create(
    *, user: Any, name: str, query: str, frequency: str = SavedSearch.Frequency.DAILY
) -> SavedSearch:
    from marketplace.filters import parse_search_params

    if not user or not user.is_authenticated:
        raise PermissionDenied("Sign in to save searches.")
    _, errors = parse_search_params(_querydict(query))
    if errors:
        raise ValidationError({"query": [f"{k}: {v}" for k, v in errors.items()]})
    saved = SavedSearch(
        user=user, name=(name or "My search").strip()[:80], query=query.lstrip("?"), frequency=frequency
    )
    saved.full_clean()
    saved.save()
    return saved


def saved_search_update(*, actor: Any, saved_search: SavedSearch, **data: Any) -> SavedSearch:
    if actor is None or actor.pk != saved_search.user_id:
        raise PermissionDenied("This is not your saved search.")
    for key in ("name", "frequency"):
        if key in data:
            setattr(saved_search, key, data[key])
    saved_search.full_clean()
    saved_search.save()
    return saved_search


def saved_search_delete(*, actor: Any, saved_search: SavedSearch) -> None:
    if actor is None or actor.pk != saved_search.user_id:
        raise PermissionDenied("This is not your saved search.")
    saved_search.delete()


def _querydict(query: str) -> QueryDict:
    from django.http import QueryDict

    return QueryDict(query.lstrip("?"))

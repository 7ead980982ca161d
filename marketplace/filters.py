"""Search parameters shared by the page and the API: the values users see, clear errors for bad ones.

What each parameter is, and how it parses, is declared in marketplace.search.SEARCH_FILTERS; this module
reads a query by that declaration, then applies the rules that tie parameters together (a radius needs a
ZIP, a ZIP alone searches within DEFAULT_RADIUS miles, sorting by distance needs a ZIP)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kei_community.core.ids import MAX_ID, parse_int
from kei_community.core.stopwords import too_common
from kei_community.core.us import zip_lookup
from marketplace.search import (
    ALL_PARAMS,
    DEFAULT_RADIUS,
    FALSE_VALUES,
    MAX_RADIUS,
    NEWEST_ORDER,
    ORDERING_LABELS,
    ORDERINGS,
    SEARCH_FILTERS,
    THIS_YEAR,
    TRUE_VALUES,
    Filter,
    state_code,
)

__all__ = [
    "ALL_PARAMS", "FALSE_VALUES", "MAX_RADIUS", "NEWEST_ORDER", "ORDERINGS", "ORDERING_LABELS", "TRUE_VALUES",
    "parse_search_params",
]  # fmt: skip


def _choice(f: Filter, raw: str) -> str | None:
    raw = raw.strip().lower()
    for value, label in f.choices:
        if raw in (str(value).lower(), str(label).lower()):
            return value
    return None


def _parse(f: Filter, raw: str, params: dict[str, Any], this_year: int) -> tuple[Any, str | None]:
    """(value, None) or (None, the message for a bad value) of one declared parameter."""
    if f.kind == "keyword" and (message := too_common(raw[:100])):
        from marketplace.keywords import keyword_terms

        if not any(term.state for term in keyword_terms(raw[:100])):  # "OR" in capitals is Oregon
            return None, message
    if f.kind in ("keyword", "text"):
        return raw[:100], None
    if f.kind == "int":
        raw = raw.replace(",", "").replace("$", "")
        if not raw:  # only separators: as if empty
            return None, None
        number = parse_int(raw)
        if number is None:
            return None, f"“{raw[:40]}” is not a whole number."
        if number > MAX_ID:
            return None, "That number is too large."
        if f.bounds:
            low, high = f.bounds[0], this_year if f.bounds[1] == THIS_YEAR else f.bounds[1]
            if not low <= number <= high:
                return None, f.bounds_message.format(low=low, high=high)
        return number, None
    if f.kind == "choice":
        if (value := _choice(f, raw)) is None:
            allowed = ", ".join(str(label) for _, label in f.choices)
            return None, f"Unknown value “{raw}”. Use one of: {allowed}."
        return value, None
    if f.kind == "bool":
        raw = raw.lower()
        if raw in TRUE_VALUES or raw in FALSE_VALUES:
            return raw in TRUE_VALUES, None
        return None, f"“{raw[:40]}” is not true or false."
    if f.kind == "state":
        if (code := state_code(raw)) is None:
            return None, f"“{raw[:40]}” is not a US state (use its name or two-letter code, e.g. Oregon or OR)."
        return code, None
    if f.kind == "zip":
        if (place := zip_lookup(raw)) is None:
            return None, f"“{raw}” is not a US ZIP code we know."
        params["origin"] = place
        return place["zip"], None
    if f.kind == "ordering":
        if raw not in ORDERINGS:
            return None, f"Unknown sort “{raw}”. Use one of: {', '.join(ORDERINGS)}."
        if raw == "distance" and "zip" not in params:
            return None, "Enter a ZIP code to sort by distance."
        return raw, None
    raise ValueError(f"{f.param}: unknown kind {f.kind!r}")


def parse_search_params(query: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """QueryDict -> (clean params, errors by param). Empty values are ignored."""
    params: dict[str, Any] = {}
    errors: dict[str, str] = {}
    get = (lambda k: (query.get(k) or "").strip()) if hasattr(query, "get") else (lambda k: "")
    this_year = timezone.now().year
    for f in SEARCH_FILTERS:
        if not (raw := get(f.param)):
            continue
        value, error = _parse(f, raw, params, this_year)
        if error is not None:
            errors[f.param] = error
        elif value is not None:
            params[f.param] = value
    if "radius" in params and "zip" not in params and "zip" not in errors:
        errors["radius"] = "Enter a ZIP code to search within a radius."
    if "zip" in params and "radius" not in params and "radius" not in errors:
        params["radius"] = DEFAULT_RADIUS
    if raw := get("page"):
        params["page"] = parse_int(raw, minimum=1) or 1
    return params, errors

"""Ids taken from a request (URL, form field, query string, JSON body) are read here, in one place.

A malformed id ("abc", "1.5", "-1", "0", a number past the database's range, "\\x00", "²") is
"no such object": a 404 on a page or an API operation (the API's exception handler gives it the
one error shape), never a 500. Never call int() on request data by hand: `str.isdigit()` accepts
"²", which int() refuses, and a number past 2**63-1 makes the database driver raise.

- `parse_id(value) -> int | None` and `parse_int(value, minimum=, maximum=)` for optional values;
- `id_or_404(value)` and `get_by_id_or_404(queryset, value)` where the id names the object;
- `IdConverter`, registered as the `<id:...>` path converter (CoreConfig.ready), for URL kwargs;
- `ID_REGEX` for re_path() and DRF routers (`kei_community.core.api.routers.IdRouter`).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.db import models
from django.http import Http404

MAX_ID = 2**63 - 1  # the largest BigAutoField value (PostgreSQL bigint, SQLite INTEGER)
ID_REGEX = "[0-9]+"
_ASCII_DIGITS = re.compile(r"[0-9]+")

M = TypeVar("M", bound=models.Model)


def parse_int(value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number written with ASCII digits (or an int), within the bounds; else None.

    Leading "+"/"-", spaces, decimals, exponents and non-ASCII digits are refused; bools too.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and len(value) <= 40 and _ASCII_DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    if minimum is not None and number < minimum:
        return None
    if maximum is not None and number > maximum:
        return None
    return number


def parse_id(value: Any) -> int | None:
    """A primary key (1 .. 2**63-1) or None."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


def id_or_404(value: Any, message: str = "Not found.") -> int:
    pk = parse_id(value)
    if pk is None:
        raise Http404(message)
    return pk


def get_by_id_or_404(queryset: models.QuerySet[M], value: Any, message: str = "Not found.") -> M:
    """queryset.get(pk=value), with a 404 for a malformed id as for a missing row."""
    obj = queryset.filter(pk=id_or_404(value, message)).first()
    if obj is None:
        raise Http404(message)
    return obj


class IdConverter:
    """`<id:pk>`: like `<int:pk>`, but a number outside 1 .. 2**63-1 does not match (so it is a 404)."""

    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        pk = parse_id(value)
        if pk is None:
            raise ValueError(f"not an id: {value[:40]!r}")
        return pk

    def to_url(self, value: Any) -> str:
        pk = parse_id(value)
        if pk is None:
            raise ValueError(f"not an id: {value!r}")
        return str(pk)

"""Model rows as primitives for the cache layer, and unsaved instances rebuilt from them.

The cache stores primitives only (never a pickled model instance, whose graph once carried full
`User` rows). When a page needs a row's fields per request, it caches `snapshot(obj)` — the values
of the row's own columns, dates as ISO strings — and rebuilds an unsaved instance with `restore`
(`Model.from_db`, like a query would). Related rows are not included: callers snapshot what they show
of them (a member's public name, never their row). `exclude` keeps columns out of the cache (they are
deferred on the rebuilt instance). The field list is part of the code, so the release version of
the cache changes with it.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from django.db import models
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)

_TO_PRIMITIVE: tuple[tuple[type, Callable[[Any], Any]], ...] = (
    (datetime.datetime, lambda v: v.isoformat()),
    (datetime.date, lambda v: v.isoformat()),
    (datetime.time, lambda v: v.isoformat()),
    (Decimal, str),
    (uuid.UUID, str),
)


def _primitive(value: Any) -> Any:
    for kind, convert in _TO_PRIMITIVE:
        if isinstance(value, kind):
            return convert(value)
    return value


def _from_primitive(field: models.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.fromisoformat
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat
    if isinstance(field, models.TimeField):
        return datetime.time.fromisoformat
    if isinstance(field, models.DecimalField):
        return Decimal
    if isinstance(field, models.UUIDField):
        return uuid.UUID
    return None


@cache
def _columns(model: type[models.Model], exclude: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (f.attname, _from_primitive(f))
        for f in model._meta.concrete_fields
        if f.attname not in exclude and f.name not in exclude
    )


def snapshot(obj: models.Model, *, exclude: Sequence[str] = ()) -> list[Any]:
    """The row's column values as primitives, in the model's column order (without `exclude`)."""
    return [_primitive(getattr(obj, attname)) for attname, _ in _columns(type(obj), tuple(exclude))]


def bare(model: type[M], fields: dict[str, Any]) -> M:
    """An instance as loaded from the database with these attribute values, made the way unpickling makes
    one (no __init__, which costs more than the rest of a cached page's work). Fields left out are
    deferred: reading one queries the database, so callers pass every field they read."""
    obj = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = "default"
    obj.__dict__.update(fields)
    obj._state = state
    return obj


def restore(model: type[M], values: Sequence[Any], *, exclude: Sequence[str] = ()) -> M:
    """An instance as loaded from the database, from `snapshot(obj, exclude=...)` (excluded columns deferred)."""
    columns = _columns(model, tuple(exclude))
    return bare(
        model,
        {
            attname: convert(value) if convert is not None and value is not None else value
            for (attname, convert), value in zip(columns, values, strict=True)
        },
    )

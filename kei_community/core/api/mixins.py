"""Serializer helpers shared by every app's API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import relations, serializers
from rest_framework.fields import empty
from rest_framework.utils import html


def json_type_error(field: serializers.Field, value: Any) -> str | None:
    """Why a JSON value has the wrong type for `field` (None when it is right).

    DRF coerces: a CharField takes 0 as "0", an IntegerField "12" or 12.0, a BooleanField "yes" or 1. A JSON
    client sends real types, so the API refuses the others instead of guessing (forms and multipart bodies,
    where every value is a string, keep DRF's parsing).
    """
    if value is None or value is empty:
        return None  # allow_null / required are DRF's own checks
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Must be a whole number."
    if isinstance(field, (serializers.FloatField, serializers.DecimalField)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "Must be a number."
    if isinstance(field, (serializers.CharField, serializers.ChoiceField, relations.SlugRelatedField)):
        return None if isinstance(value, str) else "Must be a string."
    if isinstance(field, (serializers.DateField, serializers.DateTimeField, serializers.TimeField)):
        return None if isinstance(value, str) else "Must be a date written as a string."
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Must be a list."
        for item in value:
            if message := json_type_error(field.child, item):
                return f"Every item: {message[0].lower()}{message[1:]}"
        return None
    if isinstance(field, serializers.DictField):
        if not isinstance(value, dict):
            return "Must be an object."
        for item in value.values():
            if message := json_type_error(field.child, item):
                return f"Every value: {message[0].lower()}{message[1:]}"
        return None
    return None  # nested serializers check their own fields; files come from multipart


class StrictFieldsMixin:
    """Refuse what DRF would let through: unknown fields, and (in JSON) values of the wrong type."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            fields = self.fields  # type: ignore[attr-defined]
            known = {name for name, field in fields.items() if not field.read_only}
            unknown = sorted(set(data.keys()) - known)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
            if not html.is_html_input(data):
                wrong = {
                    name: [message]
                    for name, field in fields.items()
                    if not field.read_only and (message := json_type_error(field, data.get(name, empty)))
                }
                if wrong:
                    raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)  # type: ignore[misc]


@extend_schema_field(OpenApiTypes.STR)
class PageUrlField(serializers.Field):
    """`page_url`: the path of the object's HTML page (its get_absolute_url)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return value.get_absolute_url()

"""OpenAPI generation for every API view (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]).

The error responses are declared here once, from what each operation really does, in the one error shape
({"detail": "...", "errors": {"field": ["..."]}}, see errors.py):

- 400 on every write, and on a read that takes query parameters (filters, `page`, `page_size`);
- 401 wherever the view authenticates (no credentials where they are needed, or an invalid token);
- 403 on every write (the services check permissions), and on reads behind a stricter permission
  than "signed in" (moderators);
- 404 wherever the path names something (an id, a state code) and on paginated lists (a page past the end);
- 409 where a view declares it with `responses={409: CONFLICT}` (the service raised core.exceptions.Conflict);
- 415 on every operation that reads a request body (a body sent without a Content-Type it parses);
- 429 wherever a throttle applies.

A view's own `@extend_schema(responses={...})` always wins for the codes it lists.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

from kei_community.core.api.pagination import PageNumberPagination


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer of the API."""

    detail = serializers.CharField(help_text="One sentence for a person.")
    errors = serializers.DictField(  # type: ignore[assignment]  # the body's `errors`, not Serializer.errors
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages per field ("non_field_errors" for the request as a whole); empty unless the input was refused.',
    )


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


CONFLICT = error_response("Conflict: the object changed or was already handled; read it again and decide.")

_DESCRIPTIONS: dict[int, str] = {
    400: "The input was refused; `errors` says why, per field.",
    401: "No credentials where they are needed, or an invalid token (`Authorization: Token <key>`).",
    403: "Signed in, but not allowed to do this (or a session request without its CSRF token).",
    404: "Nothing here with that id or code, or not visible to you (a page past the last one on lists).",
    409: str(CONFLICT.description),
    415: "The body's Content-Type is not one this operation reads (send application/json).",
    429: "Too many requests: slow down and retry after the `Retry-After` seconds.",
}

# Permissions that only say "signed in" (or less): beyond them a read can be refused with 403.
_SIGNED_IN_ONLY = (permissions.AllowAny, permissions.IsAuthenticated, permissions.IsAuthenticatedOrReadOnly)


def _model_allows_blank(field: serializers.Field) -> bool:
    """A read-only ModelSerializer field whose model field is blank=True (DRF drops allow_blank on read-only
    fields, so "" would be left out of the enum although the API returns it)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or len(field.source_attrs) != 1:
        return False
    try:
        return bool(model._meta.get_field(field.source_attrs[0]).blank)
    except FieldDoesNotExist:
        return False


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        if (
            isinstance(field, serializers.ChoiceField)
            and field.read_only
            and not field.allow_blank
            and _model_allows_blank(field)
        ):
            field = copy.copy(field)
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _error_statuses(self) -> set[int]:
        view = self.view
        write = self.method not in permissions.SAFE_METHODS
        codes: set[int] = set()
        if write:
            codes |= {400, 403}
        elif any(p["in"] == "query" for p in self._get_parameters()):
            codes.add(400)
        if view.get_authenticators():
            codes.add(401)
        if not write and any(not isinstance(p, _SIGNED_IN_ONLY) for p in view.get_permissions()):
            codes.add(403)
        if "{" in self.path or (not write and self._is_paginated()):
            codes.add(404)
        if write and self.method != "DELETE" and self.get_request_serializer() is not None:
            codes.add(415)
        if view.get_throttles():
            codes.add(429)
        return codes

    def _is_paginated(self) -> bool:
        paginator = self._get_paginator()
        return isinstance(paginator, PageNumberPagination) and self._is_list_view()

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in sorted(self._error_statuses()):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    error_response(_DESCRIPTIONS[code]), str(code), direction=direction
                )
        return responses

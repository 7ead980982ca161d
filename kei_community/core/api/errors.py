"""One error shape for every API 4xx: {"detail": "...", "errors": {"field": ["..."]}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kei_community.core.exceptions import RateLimited


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            out.extend(_as_list(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _as_list(v)]
    return [str(value)]


def django_validation_error_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc: Exception, context: dict) -> Response | None:
    # Services raise Django's exceptions; the API answers them like its own.
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, RateLimited):
        throttled = exceptions.Throttled(detail=exc.message)
        throttled.wait = exc.retry_after  # type: ignore[attr-defined]  # DRF turns it into Retry-After
        exc = throttled

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    data = response.data
    errors: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, dict):
            errors = {field: _as_list(msgs) for field, msgs in data.items()}
        else:
            errors = {"non_field_errors": _as_list(data)}
        first = next(iter(errors.values()), ["Invalid input."])
        detail = first[0] if len(errors) == 1 and len(first) == 1 else "Invalid input."
        if len(errors) == 1 and "non_field_errors" not in errors and len(first) == 1:
            detail = f"{next(iter(errors))}: {first[0]}"
    elif isinstance(data, dict) and "detail" in data:
        detail = str(data["detail"])
    else:
        detail = " ".join(_as_list(data)) or "Request failed."
    response.data = {"detail": detail, "errors": errors}
    if response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR:  # pragma: no cover
        return response
    return response

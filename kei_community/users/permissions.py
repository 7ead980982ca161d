"""Who may use moderation tools: moderators and staff, enrolled in MFA when required."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from rest_framework import permissions


def has_mfa(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_mfa_enrolment(user: Any) -> bool:
    return bool(settings.MODERATION_REQUIRES_MFA) and not has_mfa(user)


def check_moderator(user: Any) -> None:
    """Raise PermissionDenied unless user may moderate now. Services call this."""
    if not getattr(user, "is_authenticated", False) or not user.is_moderator:
        raise PermissionDenied("Only moderators can do this.")
    if needs_mfa_enrolment(user):
        raise PermissionDenied("Moderators must set up two-factor authentication first.")


def moderator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_moderator:  # type: ignore[union-attr]
            raise PermissionDenied("Only moderators can open this page.")
        if needs_mfa_enrolment(user):
            messages.warning(request, "Set up two-factor authentication to use moderation tools.")
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper


class IsModerator(permissions.BasePermission):
    message = "Only moderators can do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_moderator):
            return False
        if needs_mfa_enrolment(user):
            self.message = "Moderators must set up two-factor authentication first."
            return False
        return True

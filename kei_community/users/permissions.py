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


class SystemActor:
    """The site itself acting from code (management commands such as ``seed_demo``), not a person.

    There is one instance, :data:`SYSTEM`. A request's user is always a ``User`` or an
    ``AnonymousUser``, so no request can present it: only code that imports it can act as the
    system. Services accept it wherever they accept a moderator (``check_moderator`` lets it
    through without the two-factor rule, which is about people signing in). It has no primary
    key, so it owns nothing and the audit log records its actions with no actor.
    """

    pk = None
    id = None
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_moderator = True
    is_staff = False
    is_superuser = False
    public_name = "Kei Community"

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


def is_self(actor: Any, user: Any) -> bool:
    """`actor` is the member `user` (signed in): e.g. who manages a member's avatar."""
    return getattr(actor, "is_authenticated", False) and actor.pk == user.pk


def check_moderator(user: Any) -> None:
    """Raise PermissionDenied unless user may moderate now. Services call this."""
    if user is SYSTEM:
        return
    if getattr(user, "pk", None) is None or not getattr(user, "is_authenticated", False) or not user.is_moderator:
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

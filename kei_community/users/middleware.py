from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ModerationMfaMiddleware:
    """Keeps moderators without MFA out of the admin when MODERATION_REQUIRES_MFA is on.

    Moderation views check this themselves (users.permissions); the admin is not ours,
    so it is guarded here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/") and request.user.is_authenticated:
            from kei_community.users.permissions import needs_mfa_enrolment

            if request.user.is_staff and needs_mfa_enrolment(request.user):
                from django.shortcuts import redirect

                return redirect("mfa_activate_totp")
        return self.get_response(request)

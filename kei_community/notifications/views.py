from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kei_community.core.redirects import safe_redirect_url
from kei_community.notifications import services
from kei_community.notifications.delivery import ALL_KINDS, read_unsubscribe_token
from kei_community.notifications.forms import NotificationPreferencesForm
from kei_community.notifications.registry import get_kind
from kei_community.notifications.selectors import notifications_for, preferences_for, unread_count
from kei_community.notifications.services import notification_preferences_set, notifications_mark_read

PAGE_SIZE = 25


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notifications_for(request.user, unread=unread_only), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page_obj": page, "notifications": page.object_list, "unread_only": unread_only},
    )


def _safe_target(request: HttpRequest, url: str) -> str:
    return safe_redirect_url(request, url, fallback="/notifications/")


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read (only the recipient's own: 404 otherwise)."""
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(_safe_target(request, notification.url))


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    if getattr(request, "htmx", False):
        # Swap the item in place and update the bell (out of band).
        notification.refresh_from_db(fields=["read_at"])
        return render(
            request,
            "notifications/includes/notification_read.html",
            {"n": notification, "unread": unread_count(request.user)},
        )
    messages.success(request, "Marked as read.")
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(user=request.user, all=True)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications:list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    preferences = preferences_for(request.user)
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST, preferences=preferences)
        if form.is_valid():
            try:
                notification_preferences_set(user=request.user, preferences=form.preferences())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your email settings were saved.")
                return redirect("notifications:settings")
    else:
        form = NotificationPreferencesForm(preferences=preferences)
    return render(
        request, "notifications/notification_settings.html", {"form": form}, status=400 if form.errors else 200
    )


@csrf_exempt  # RFC 8058 one-click POSTs come from mail clients without a CSRF token; the signed token is the proof
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: confirm page. POST: unsubscribe from the kind named by the signed token. No login needed."""
    try:
        user_id, kind = read_unsubscribe_token(token)
        user = get_user_model().objects.get(pk=user_id)
        label = "all email notifications" if kind == ALL_KINDS else get_kind(kind).label
    except (signing.BadSignature, LookupError, get_user_model().DoesNotExist):
        return render(
            request,
            "400.html",
            {"reason": "This unsubscribe link is not valid. Open your notification settings to change your email."},
            status=400,
        )
    context = {"token": token, "label": label, "all_kinds": kind == ALL_KINDS, "done": False}
    if request.method == "POST":
        services.notification_unsubscribe(user=user, kind=kind)
        context["done"] = True
    return render(request, "notifications/notification_unsubscribe.html", context)

"""A member's own forum state: watching threads and categories, bookmarks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from forum import selectors, services
from forum.forms import (
    LevelForm,
)
from forum.models import Category, Level, Thread
from forum.views.common import CATEGORY_LEVELS


def _thread_or_404(request: HttpRequest, pk: int) -> Thread:
    thread = selectors.thread_get(pk, user=request.user)
    if thread is None:
        raise Http404("No such thread.")
    return thread


@login_required
@require_POST
def thread_watch(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    form = LevelForm(request.POST)
    if form.is_valid():
        services.thread_set_level(user=request.user, thread=thread, level=form.cleaned_data["level"])
        messages.success(request, f"Notifications: {Level(form.cleaned_data['level']).label}.")
    return redirect(thread.get_absolute_url())


@login_required
@require_POST
def thread_bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    on = services.bookmark_toggle(user=request.user, thread=thread)
    messages.success(request, "Bookmarked." if on else "Bookmark removed.")
    return redirect(thread.get_absolute_url())


@login_required
@require_POST
def category_watch(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    level = request.POST.get("level", "")
    if level and level not in Level.values:
        messages.error(request, "Unknown notification level.")
    else:
        services.category_set_level(user=request.user, category=category, level=level or None)
        label = dict(CATEGORY_LEVELS)[level].split(":")[0]
        messages.success(request, f"{category.name}: {label}.")
    return redirect(category.get_absolute_url())


@login_required
def bookmarks(request: HttpRequest) -> HttpResponse:
    states = list(selectors.bookmarks_for(user=request.user)[:200])
    return render(request, "forum/bookmark_list.html", {"states": states})

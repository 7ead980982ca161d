"""Moderator pages: thread actions (pin, lock, move, merge, split) and the held-posts queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from forum import selectors, services
from forum.forms import (
    MergeForm,
    MoveForm,
    SplitForm,
)
from forum.models import Post, Thread
from forum.views.watching import _thread_or_404


@login_required
@require_POST
def thread_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    user = request.user
    if action == "pin":
        services.thread_pin(actor=user, thread=thread, pinned=not thread.is_pinned)
    elif action == "lock":
        services.thread_lock(actor=user, thread=thread, locked=not thread.is_locked)
    elif action == "move":
        form = MoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Pick a category.")
            return redirect(thread.get_absolute_url())
        services.thread_move(actor=user, thread=thread, category=form.cleaned_data["category"])
    elif action == "merge":
        merge = MergeForm(request.POST)
        target = Thread.objects.filter(pk=merge.cleaned_data["target"]).first() if merge.is_valid() else None
        if target is None:
            messages.error(request, "No thread with that number.")
            return redirect(thread.get_absolute_url())
        try:
            thread = services.thread_merge(actor=user, source=thread, target=target)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(thread.get_absolute_url())
    elif action == "split":
        split = SplitForm(request.POST)
        if not split.is_valid():
            messages.error(request, " ".join(str(e) for errs in split.errors.values() for e in errs))
            return redirect(thread.get_absolute_url())
        posts = list(Post.objects.filter(thread=thread, position__in=split.cleaned_data["positions"]))
        try:
            thread = services.thread_split(actor=user, thread=thread, posts=posts, title=split.cleaned_data["title"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(thread.get_absolute_url())
    else:
        raise Http404("Unknown action.")
    messages.success(request, "Done.")
    return redirect(thread.get_absolute_url())


@login_required
def held_queue(request: HttpRequest) -> HttpResponse:
    from kei_community.users.permissions import check_moderator

    check_moderator(request.user)
    return render(request, "forum/held_list.html", {"posts": list(selectors.held_posts()[:100])})

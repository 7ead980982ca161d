"""Forum pages that write posts and threads: new thread, reply, edit, history, delete/restore/approve, react, solve."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from forum import cards, selectors, services
from forum.forms import (
    PostEditForm,
    ReactionForm,
    ReplyForm,
    ThreadEditForm,
    ThreadForm,
)
from forum.models import Post
from forum.rendering import quote_markdown, render_post
from forum.views.common import _form_errors
from forum.views.reading import _viewer
from kei_community.core.ids import parse_id

# --- writing ----------------------------------------------------------------------------------------


@login_required
def thread_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if slug := request.GET.get("category"):
        category = selectors.category_get(slug)
        if category:
            initial["category"] = category.pk
    if truck := request.GET.get("truck"):
        initial["truck"] = truck
    form = ThreadForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.thread_create(
                author=request.user,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                tags=data["tags"],
                truck=data["truck"],
                photo=data["photo"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if thread.is_hidden:
                messages.info(request, "Thanks! New members' first posts are checked by a moderator before they show.")
            else:
                messages.success(request, "Your thread is live.")
            return redirect(thread.get_absolute_url())
    return render(request, "forum/thread_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def post_reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.thread_get(pk, user=request.user)
    if thread is None:
        raise Http404("No such thread.")
    initial = {}
    if quote := parse_id(request.GET.get("quote")):
        quoted = (
            Post.objects.filter(pk=quote, thread=thread, is_deleted=False, is_hidden=False, is_held=False)
            .select_related("author")
            .first()
        )
        if quoted is not None:
            initial["body"] = quote_markdown(author_name=quoted.author.public_name, markdown=quoted.body_markdown)
    form = ReplyForm(request.POST or None, request.FILES or None, initial=initial, draft_key=f"forum-reply-{thread.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_create(
                author=request.user, thread=thread, body=form.cleaned_data["body"], photo=form.cleaned_data["photo"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if post.is_held:
                messages.info(request, "Thanks! New members' first posts are checked by a moderator before they show.")
            return redirect(post.get_absolute_url())
    return render(
        request,
        "forum/post_form.html",
        {"form": form, "thread": thread, "mode": "reply"},
        status=400 if form.errors else 200,
    )


def _post_for(request: HttpRequest, pk: int) -> Post:
    post = selectors.post_get(pk)
    if post is None:
        raise Http404("No such post.")
    return post


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    services.check_can_edit(user=request.user, post=post)
    form = PostEditForm(request.POST or None, initial={"body": post.body_markdown})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(
                actor=request.user, post=post, body=form.cleaned_data["body"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Post updated.")
            return redirect(post.get_absolute_url())
    return render(
        request, "forum/post_form.html", {"form": form, "thread": post.thread, "post": post, "mode": "edit"},
        status=400 if form.errors else 200,
    )  # fmt: skip


def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    if not post.is_visible and not services.is_moderator(request.user):
        raise Http404("No such post.")
    revisions = list(post.revisions.select_related("editor"))
    for revision in revisions:
        revision.html = render_post(revision.body_markdown).html  # type: ignore[attr-defined]
    return render(request, "forum/post_history.html", {"post": post, "thread": post.thread, "revisions": revisions})


@login_required
@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    services.post_delete(actor=request.user, post=post, reason=request.POST.get("reason", ""))
    messages.success(request, "Post deleted.")
    if post.position == 1 and not services.is_moderator(request.user):
        return redirect(post.thread.category.get_absolute_url())
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def post_restore(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    services.post_restore(actor=request.user, post=post)
    messages.success(request, "Post restored.")
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def post_approve(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    services.post_approve(actor=request.user, post=post)
    messages.success(request, "Post approved and published.")
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def post_react(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown reaction.", status=400)
    try:
        services.reaction_toggle(user=request.user, post=post, kind=form.cleaned_data["kind"])
    except ValidationError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(post.get_absolute_url())
    if request.htmx:  # type: ignore[attr-defined]
        mine = selectors.my_reactions(user=request.user, posts=[post])
        viewer = _viewer(request, moderator=services.is_moderator(request.user))
        return HttpResponse(cards.reactions_html(post, viewer, mine))
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def post_solve(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for(request, pk)
    clear = request.POST.get("clear") == "1"
    try:
        services.thread_mark_solved(actor=request.user, thread=post.thread, post=None if clear else post)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Marked as the answer." if not clear else "Answer cleared.")
    return redirect(post.get_absolute_url())


@login_required
def thread_edit(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.thread_get(pk, user=request.user)
    if thread is None:
        raise Http404("No such thread.")
    if thread.author_id != request.user.pk and not services.is_moderator(request.user):
        raise PermissionDenied("Only the thread's author or a moderator can change it.")
    initial = {"title": thread.title, "tags": ", ".join(t["name"] for t in thread.tag_list)}
    form = ThreadEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.thread_update(
                actor=request.user, thread=thread, title=form.cleaned_data["title"], tags=form.cleaned_data["tags"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Thread updated.")
            return redirect(thread.get_absolute_url())
    return render(
        request, "forum/thread_edit.html", {"form": form, "thread": thread}, status=400 if form.errors else 200
    )

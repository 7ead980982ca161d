"""Markdown preview, forum search and small helpers used by templates and other modules."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from forum import selectors
from forum.forms import (
    SearchForm,
)
from forum.models import Category
from forum.rendering import render_post


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """htmx: render the markdown exactly as it will be stored."""
    html = render_post(request.POST.get("body", "")[:20_000]).html
    return render(request, "forum/includes/preview.html", {"html": html})


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    hits: list = []
    searched = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        searched = any(data.values())
        hits = selectors.search_posts(
            q=data["q"], category=data["category"], tag=data["tag"], author=data["author"],
            since=data["since"], until=data["until"],
        )  # fmt: skip
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "forum/search.html", {"form": form, "hits": hits, "searched": searched}, status=status)


def preview_fragment(html: str) -> str:
    return render_to_string("forum/includes/preview.html", {"html": html})


def new_thread_url(category: Category | None = None) -> str:
    url = reverse("forum:thread-create")
    return f"{url}?category={category.slug}" if category else url

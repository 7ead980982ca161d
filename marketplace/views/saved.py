"""A member's favourites and saved searches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kei_community.core.redirects import next_url
from kei_community.core.types import AuthenticatedHttpRequest
from marketplace import selectors, services
from marketplace.cards import render_cards
from marketplace.forms import SavedSearchForm
from marketplace.models import SavedSearch
from marketplace.views.common import _flash_error, _public_listing


@login_required
@require_POST
def favorite_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _public_listing(pk)
    if request.POST.get("remove"):
        services.favorite_remove(user=request.user, listing=listing)
        is_favorite = False
    else:
        try:
            services.favorite_add(user=request.user, listing=listing)
            is_favorite = True
        except ValidationError as exc:
            _flash_error(request, exc)
            is_favorite = False
    if getattr(request, "htmx", False):
        return render(
            request,
            "marketplace/favorite_button.html",
            {
                "listing_pk": listing.pk,
                "listing_title": listing.title,
                "is_favorite": is_favorite,
                "next_url": request.POST.get("next", ""),
            },
        )
    return redirect(next_url(request, fallback=listing.get_absolute_url()))


@login_required
def favorite_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    listings = selectors.favorites_for(user=request.user)
    cards = render_cards(
        listings,
        viewer=request.user,
        favorite_ids={o.pk for o in listings},
        next_url=request.get_full_path(),
        csrf_token=get_token(request),
    )
    return render(request, "marketplace/favorite_list.html", {"listings": listings, "cards": cards})


# --- saved searches --------------------------------------------------------------


@login_required
def saved_search_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SavedSearchForm(request.POST)
        query = request.POST.get("query", "")
        if form.is_valid():
            try:
                services.saved_search_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    query=query,
                    frequency=form.cleaned_data["frequency"],
                )
                messages.success(request, "Search saved. We'll tell you about new matches.")
            except ValidationError as exc:
                _flash_error(request, exc)
        else:
            messages.error(request, "Give the search a name and choose how often to be alerted.")
        return redirect("marketplace:saved-searches")
    searches = list(SavedSearch.objects.filter(user=request.user))
    return render(
        request,
        "marketplace/savedsearch_list.html",
        {"searches": searches, "frequencies": SavedSearch.Frequency.choices},
    )


@login_required
@require_POST
def saved_search_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    try:
        if request.POST.get("delete"):
            services.saved_search_delete(actor=request.user, saved_search=saved)
            messages.success(request, "Saved search deleted.")
        else:
            services.saved_search_update(
                actor=request.user, saved_search=saved, frequency=request.POST.get("frequency", "")
            )
            messages.success(request, "Alert setting saved.")
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect("marketplace:saved-searches")

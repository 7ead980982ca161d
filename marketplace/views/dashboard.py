"""The seller's dashboard, price comps and dealers' pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render

from kei_community.core.types import AppHttpRequest, AuthenticatedHttpRequest
from marketplace import selectors, services
from marketplace.cards import render_cards
from marketplace.forms import DealerProfileForm, SoldForm
from marketplace.models import DealerProfile
from marketplace.views.common import _errors_to_form


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    listings = selectors.seller_dashboard(user=request.user)
    groups: dict[str, list] = {}
    for obj in listings:
        groups.setdefault(obj.get_status_display(), []).append(obj)
    return render(
        request,
        "marketplace/listing_dashboard.html",
        {"groups": groups, "count": len(listings), "sold_form": SoldForm()},
    )


def price_comps(request: AppHttpRequest) -> HttpResponse:
    """Comps of every chassis family, or of what one box names: a make, a model or a chassis code (`q`; the
    older `family` still works). An unknown name is said in words above no table (200)."""
    text = " ".join((request.GET.get("q") or request.GET.get("family") or "").split())[:40]
    match = selectors.comps_lookup(text) if text else None
    unknown = selectors.comps_unknown_message(text) if text and match is None else ""
    rows: list[dict[str, Any]] = (
        [] if unknown else selectors.price_comps_cached(families=match.families if match else None)
    )
    scale = max([r[k]["max"] for r in rows for k in ("asking", "sold") if r[k]] or [1])
    shown = []
    for row in rows:
        row = dict(row)  # the cached rows stay as they are
        for kind in ("asking", "sold"):
            if stats := row[kind]:
                bar = {k: round(stats[k] * 100 / scale, 1) for k in ("min", "q1", "median", "q3", "max")}
                bar["box_width"] = round(bar["q3"] - bar["q1"], 1)
                bar["whisker_width"] = round(bar["max"] - bar["min"], 1)
                row[kind] = {**stats, "bar": bar}
        shown.append(row)
    context = {"rows": shown, "q": text, "match": match, "unknown": unknown, "scale": scale}
    return render(request, "marketplace/listing_prices.html", context)


def dealer_detail(request: AppHttpRequest, slug: str) -> HttpResponse:
    dealer = get_object_or_404(DealerProfile.objects.select_related("user"), slug=slug)
    listings = list(
        selectors.listing_card_qs().filter(pk__in=selectors.listing_public_qs().filter(seller=dealer.user).values("pk"))
    )
    cards = render_cards(
        listings,
        viewer=request.user,
        next_url=request.get_full_path(),
        csrf_token=get_token(request) if request.user.is_authenticated else "",
    )
    return render(
        request, "marketplace/dealerprofile_detail.html", {"dealer": dealer, "listings": listings, "cards": cards}
    )


@login_required
def dealer_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    instance = DealerProfile.objects.filter(user=request.user).first()
    form = DealerProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data.items())
        try:
            profile = services.dealer_profile_save(user=request.user, data=data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Dealer profile saved.")
            return redirect(profile.get_absolute_url())
    return render(request, "marketplace/dealerprofile_form.html", {"form": form})

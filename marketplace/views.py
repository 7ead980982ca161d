"""Thin views: parse input, call services/selectors, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from kei_community.core import cache_tags, caching, slots, snapshots
from kei_community.core.exceptions import RateLimited
from kei_community.core.ids import parse_id
from kei_community.core.page_cache import anonymous_page_cache, cacheable_context
from kei_community.core.public_url import absolute_url
from kei_community.core.redirects import next_url
from kei_community.core.registry import call_hooks
from kei_community.core.types import AppHttpRequest, AuthenticatedHttpRequest
from kei_community.core.us import zip_lookup
from kei_community.moderation.selectors import removal_in_force
from kei_community.moderation.views import gone as moderation_gone
from kei_community.users.permissions import moderator_required
from kei_community.vehicles.eligibility import import_eligibility
from kei_community.vehicles.frame import mask_frame_number
from marketplace import page_cache, selectors, services
from marketplace.cards import (
    card_bodies,
    distance_text,
    facets_html,
    fill_cards,
    render_cards,
    search_page_urls,
    state_map_html,
)
from marketplace.filters import parse_search_params
from marketplace.forms import (
    AnswerForm,
    DealerProfileForm,
    ListingForm,
    MessageForm,
    PhotoUploadForm,
    QuestionForm,
    SavedSearchForm,
    SoldForm,
)
from marketplace.keywords import corrected_query
from marketplace.models import DealerProfile, Listing, Question, SavedSearch
from marketplace.outlook import registration_outlook
from marketplace.search import active_filters, form_fields, widen_links
from marketplace.templatetags.listing_seo import listing_json_ld_payload
from marketplace.warnings import listing_seller_warnings


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _flash_error(request: HttpRequest, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _owned_listing(request: AuthenticatedHttpRequest, pk: int) -> Listing:
    listing = get_object_or_404(Listing.objects.select_related("seller", "chassis_code"), pk=pk)
    if listing.seller_id != request.user.pk:
        raise Http404("No such listing.")  # don't reveal other members' drafts
    return listing


# --- search -------------------------------------------------------------------------


@anonymous_page_cache(region="marketplace.page", query=page_cache.SEARCH_QUERY, statuses=(200, 400))
def index(request: AppHttpRequest) -> HttpResponse:
    params, errors = parse_search_params(request.GET)
    viewer_state = getattr(request.user, "home_state", "") if request.user.is_authenticated else ""
    result, block, loaded = _results_block(request, params, errors)
    cards = block["cards"]
    context = {
        "params": params,
        "errors": errors,
        "result": result,
        "cards": fill_cards(
            cards,
            card_bodies(cards, listings=loaded),
            viewer=request.user,
            favorite_ids=result.favorite_ids,
            next_url=request.get_full_path(),
            csrf_token=get_token(request) if request.user.is_authenticated else "",
        ),
        "facets_html": mark_safe(block["facets_html"]),  # noqa: S308 - rendered by listing_facets.html
        "map_html": mark_safe(block["map_html"]),  # noqa: S308 - rendered by listing_state_map.html
        "search_form_html": mark_safe(  # noqa: S308 - rendered by a template; the slot value is escaped
            slots.fill(block["form"], {"viewer_state_slot": viewer_state or "e.g. TX"}, escape=True)
        ),
        "urls": search_page_urls(),
        "query_string": request.GET.urlencode(),
        "viewer_state": viewer_state,
        "active_filters": [a for a in active_filters(request.GET, params) if a["applied"]],
        "widen": widen_links(request.GET, params) if not result.total else [],
        "saved_search_name": params.get("q") or "My kei search",
        "corrected_q": block.get("corrected_q", ""),
    }
    template = (
        "marketplace/includes/listing_results.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted
        else "marketplace/listing_list.html"
    )
    return render(
        request, template, cacheable_context(request, context), status=400 if errors and not result.total else 200
    )


def _results_block(
    request: AppHttpRequest, params: dict[str, Any], errors: dict[str, str]
) -> tuple[selectors.SearchResult, dict[str, Any], list[Listing]]:
    """The reader-independent part of a results page (the page's listings, facets, the trucks-by-state map,
    page numbers, the filter form with the reader's home state cut out), cached per search (the parameters
    the page understands) in region "marketplace.results" under the search's tags; the cards are cached
    apiece (marketplace.cards). Per request only the viewer's favourites and home state. Also returns the
    rows loaded when the block was built (the cards to render are among them)."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key in page_cache.SEARCH_QUERY:
            query.setlist(key, values)
    loaded: list[Listing] = []

    def build() -> dict[str, Any]:
        found = selectors.listing_search(params=params, viewer=None, page_qs=selectors.listing_card_page_qs())
        loaded.extend(found.listings)
        return {
            "cards": [[obj.pk, obj.seller_id, distance_text(getattr(obj, "distance", None))] for obj in found.listings],
            "total": found.total,
            "total_capped": found.total_capped,
            "corrected_q": corrected_query(params.get("q") or ""),
            "page": found.page,
            "num_pages": found.num_pages,
            "facets_html": facets_html(facets=found.facets, ranges=found.ranges, query=query),
            "map_html": state_map_html(
                facets=found.facets, total=found.total, current=params.get("state") or "", query=query
            ),
            "form": slots.render_slotted(
                "marketplace/includes/listing_search_form.html",
                {
                    "query": query,
                    "errors": errors,
                    "facets": found.facets,
                    "form": form_fields(params=params, query=query, facets=found.facets),
                    "urls": search_page_urls(),
                },
                ["viewer_state_slot"],
            ),
        }

    block = caching.get_or_build(
        "marketplace.results", query.urlencode(), build, tags=page_cache.search_tags_for(params)
    )
    ids = [pk for pk, _, _ in block["cards"]]
    result = selectors.SearchResult(
        [],
        block["total"],
        block["page"],
        block["num_pages"],
        favorite_ids=selectors.favorite_ids_for(viewer=request.user, listing_ids=ids),
        total_capped=block.get("total_capped", False),
    )
    return result, block, loaded


# --- detail --------------------------------------------------------------------------


def listing_redirect(request: AppHttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(Listing, pk=pk)
    return HttpResponseRedirect(listing.get_absolute_url(), status=301)


DETAIL_FRAGMENTS = ("main", "seller", "aside", "similar")


def _render_detail_fragments(listing: Listing, *, is_owner: bool, photos: list[Any]) -> dict[str, str]:
    """The reader-independent parts of a listing page: gallery, specs and description; seller card; price
    comps and the truck's threads; similar trucks."""
    comps = selectors.comps_for_listing(listing=listing) or {}
    truck_threads: list[dict[str, Any]] = []
    if listing.truck_id:
        for items in call_hooks("truck_threads", listing.truck):
            truck_threads.extend(items or [])
    similar, other_listings = selectors.related_listings(listing=listing)
    context = {
        "listing": listing,
        "photos": photos,
        "frame_number": listing.frame_number
        if (listing.show_full_frame_number or is_owner)
        else mask_frame_number(listing.frame_number),
        "comps": comps,
        "similar": similar,
        "other_listings": other_listings,
        "seller_activity": [
            entry
            for result in call_hooks("member_activity", [listing.seller_id])
            if (entry := (result or {}).get(listing.seller_id))
        ],
        "truck_threads": truck_threads,
        "dealer": getattr(listing.seller, "dealer_profile", None),
    }
    return {
        name: render_to_string(f"marketplace/includes/listing_detail_{name}.html", context) for name in DETAIL_FRAGMENTS
    }


LISTING_PRIVATE_FIELDS = ("frame_number",)  # never cached (the public sees it masked in the "main" part)


def _with_asker_names(questions: list[Question]) -> list[Question]:
    for question in questions:
        question.asker_name = question.asker.public_name  # type: ignore[attr-defined]
    return questions


def _listing_page_data(pk: int) -> dict[str, Any] | None:
    """What a public listing's page shows the same to every reader who is not its seller, cached in region
    "marketplace.detail" under the listing's tag (and, found while building, its seller's, its askers' and
    the searches' its similar trucks come from): the listing's columns (not the frame number), the public
    questions with their askers' names, the cover for link previews and the rendered parts. None for a
    listing that is missing or not public (never cached: only its seller and moderators see it)."""

    def build() -> dict[str, Any] | None:
        listing = selectors.listing_get_for_detail(pk=pk)
        if listing is None or not listing.is_public:
            caching.dont_store()
            return None
        photos = list(listing.photos.all())
        if not all(photo.is_ready for photo in photos):  # a photo still processing shows when ready
            caching.dont_store()
        questions = list(listing.questions.all())
        caching.depends_on(
            cache_tags.member(listing.seller_id),
            *(cache_tags.member(q.asker_id) for q in questions),
            page_cache.search_tag(),  # similar trucks and the seller's other trucks
        )
        og_image = photos[0].largest_url() if photos and photos[0].is_ready else ""
        return {
            "listing": snapshots.snapshot(listing, exclude=LISTING_PRIVATE_FIELDS),
            "questions": [[snapshots.snapshot(q), q.asker.public_name] for q in questions],
            "og_image": og_image,
            "json_ld": listing_json_ld_payload(listing, og_image),
            "fragments": _render_detail_fragments(listing, is_owner=False, photos=photos),
        }

    return caching.get_or_build("marketplace.detail", str(pk), build, tags=[cache_tags.listing(pk)])


def _count_cached_view(request: AppHttpRequest, pk: int, slug: str) -> None:
    services.listing_record_view(listing_id=pk)  # only 200 pages are cached: the listing is public


@anonymous_page_cache(
    region="marketplace.page", query=page_cache.DETAIL_QUERY, statuses=(200, 400), on_hit=_count_cached_view
)
def listing_detail(request: AppHttpRequest, pk: int, slug: str) -> HttpResponse:
    viewer = request.user
    data = _listing_page_data(pk)
    listing: Listing | None = None
    if data is not None:
        listing = snapshots.restore(Listing, data["listing"], exclude=LISTING_PRIVATE_FIELDS)
    is_owner = listing is not None and viewer.is_authenticated and viewer.pk == listing.seller_id
    if data is None or listing is None or is_owner:  # seen only by its seller or moderators, or the seller's view
        listing = selectors.listing_get_for_detail(pk=pk, viewer=viewer)
        if listing is None:
            raise Http404("No such listing.")
        if not selectors.listing_visible_to(listing=listing, viewer=viewer):
            if listing.status == Listing.Status.REMOVED:  # a short public notice; its seller and moderators see it
                return moderation_gone(request, noun="listing")
            raise Http404("No such listing.")
        is_owner = viewer.is_authenticated and viewer.pk == listing.seller_id
        photos = list(listing.photos.all())
        fragments = _render_detail_fragments(listing, is_owner=is_owner, photos=photos)
        questions = _with_asker_names(list(listing.questions.all()))
        og_image = photos[0].largest_url() if photos and photos[0].is_ready else ""
        json_ld = listing_json_ld_payload(listing, og_image)
        is_favorite = bool(getattr(listing, "is_favorite", False))
    else:
        fragments = data["fragments"]
        questions = []
        for values, asker_name in data["questions"]:
            question = snapshots.restore(Question, values)
            question.asker_name = asker_name  # type: ignore[attr-defined]
            questions.append(question)
        og_image = data["og_image"]
        json_ld = data["json_ld"]
        is_favorite = bool(selectors.favorite_ids_for(viewer=viewer, listing_ids=[pk]))
    if slug != listing.slug:
        return HttpResponseRedirect(listing.get_absolute_url(), status=301)
    if not is_owner:
        services.listing_record_view(listing_id=listing.pk)
    else:
        listing.views_count += selectors.pending_views([listing.pk])[listing.pk]
    eligibility = import_eligibility(
        year_built=listing.year_built, month_built=listing.month_built, us_market=listing.us_market
    )
    viewer_zip = (request.GET.get("zip") or "").strip()
    viewer_state = ""
    zip_error = ""
    if viewer_zip:
        place = zip_lookup(viewer_zip)
        if place:
            viewer_state = place["state"]
        else:
            zip_error = f"“{viewer_zip}” is not a US ZIP code we know."
    elif viewer.is_authenticated:
        viewer_state = viewer.home_state or ""
    listing_outlook = registration_outlook(listing.state)
    viewer_outlook = registration_outlook(viewer_state) if viewer_state and viewer_state != listing.state else None
    context = {
        "listing": listing,
        "og_image": og_image,
        "json_ld": json_ld,
        "fragments": {name: mark_safe(html) for name, html in fragments.items()},  # noqa: S308 - our templates
        "is_owner": is_owner,
        "eligibility": eligibility,
        "listing_outlook": listing_outlook,
        "viewer_outlook": viewer_outlook,
        "viewer_state": viewer_state,
        "viewer_zip": viewer_zip,
        "zip_error": zip_error,
        "is_favorite": is_favorite,
        "questions": questions,
        "share_url": absolute_url(listing.get_absolute_url()),
        "buyers": selectors.listing_buyers(listing=listing) if is_owner and listing.truck_id else [],
        "removal": removal_in_force(listing) if listing.status == Listing.Status.REMOVED else None,
    }
    return render(request, "marketplace/listing_detail.html", cacheable_context(request, context))


# --- create / edit / photos -------------------------------------------------------


def _add_photos(request: AuthenticatedHttpRequest, listing: Listing, uploads: list) -> int:
    added = 0
    for upload in uploads:
        try:
            services.listing_photo_add(actor=request.user, listing=listing, upload=upload)
            added += 1
        except ValidationError as exc:
            messages.error(request, f"{getattr(upload, 'name', 'Photo')}: {' '.join(exc.messages)}")
    return added


@login_required
def listing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    form = ListingForm(request.POST or None, instance=listing, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_update(actor=request.user, listing=listing, data=form.service_data())
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Listing saved.")
            for warning in listing_seller_warnings(listing):
                messages.warning(request, warning)
            return redirect(listing.get_absolute_url())
    return render(request, "marketplace/listing_form.html", {"form": form, "listing": listing, "creating": False})


@login_required
def listing_photos(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["photos"]
        added = _add_photos(request, listing, uploads)
        if added:
            messages.success(request, f"{added} photo(s) added.")
        if added == len(uploads):
            return redirect("marketplace:listing-photos", pk=listing.pk)
        # A refused photo (bad file, too many, new-account cap): show the page with the reason.
        form, status = PhotoUploadForm(), 400
    photos = list(listing.photos.order_by("position", "id"))
    context = {"listing": listing, "photos": photos, "form": form, "warnings": listing_seller_warnings(listing)}
    return render(request, "marketplace/listing_photos.html", context, status=status)


@login_required
@require_POST
def listing_photos_order(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Save a whole new photo order (drag and drop): POST `order` once per photo id, first to last."""
    listing = _owned_listing(request, pk)
    try:
        services.listing_photos_reorder(actor=request.user, listing=listing, ordered_ids=request.POST.getlist("order"))
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=400)
    return HttpResponse(status=204)


@login_required
@require_POST
def listing_photo_action(request: AuthenticatedHttpRequest, pk: int, photo_id: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    action = request.POST.get("action", "")
    try:
        if action in ("up", "down"):
            ids = list(listing.photos.order_by("position", "id").values_list("pk", flat=True))
            if photo_id not in ids:
                raise ValidationError("That photo is not on this listing.")
            i = ids.index(photo_id)
            j = i - 1 if action == "up" else i + 1
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
            services.listing_photos_reorder(actor=request.user, listing=listing, ordered_ids=ids)
        elif action == "cover":
            services.listing_photo_set_cover(actor=request.user, listing=listing, photo_id=photo_id)
        elif action == "delete":
            services.listing_photo_delete(actor=request.user, listing=listing, photo_id=photo_id)
        else:
            raise ValidationError("Unknown photo action.")
    except ValidationError as exc:
        _flash_error(request, exc)
    # `next`: the sell flow's photos step posts here too and comes back to itself.
    return redirect(next_url(request, fallback=reverse("marketplace:listing-photos", args=[listing.pk])))


@login_required
@require_POST
def listing_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    try:
        services.listing_publish(actor=request.user, listing=listing)
    except ValidationError as exc:
        _flash_error(request, exc)
        if listing.status == Listing.Status.DRAFT:  # the sell flow's review step lists what is missing
            return redirect("marketplace:sell-step", pk=listing.pk, step="review")
        return redirect("marketplace:listing-edit", pk=listing.pk)
    if listing.held_for_review:
        messages.info(
            request, "Published. As a new member, your first listing is shown once a moderator has looked at it."
        )
    else:
        messages.success(request, "Your listing is live.")
    return redirect(listing.get_absolute_url())


@login_required
@require_POST
def listing_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    status = request.POST.get("status", "")
    try:
        if request.POST.get("renew"):
            services.listing_renew(actor=request.user, listing=listing)
            messages.success(request, "Renewed for another period.")
        elif status == Listing.Status.SOLD:
            form = SoldForm(request.POST)
            if not form.is_valid():
                raise ValidationError(list(form.errors.get("sold_price") or ["Check the sold price."]))
            services.listing_mark_sold(
                actor=request.user, listing=listing, sold_price=form.cleaned_data["sold_price"],
                buyer_id=parse_id(request.POST.get("buyer")),
            )  # fmt: skip
            messages.success(request, "Marked as sold. Congratulations!")
        else:
            services.listing_set_status(actor=request.user, listing=listing, status=status)
            messages.success(request, f"Listing is now {listing.get_status_display().lower()}.")
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(next_url(request, fallback=listing.get_absolute_url()))


@login_required
def listing_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    if request.method == "POST":
        services.listing_delete(actor=request.user, listing=listing)
        messages.success(request, "Listing deleted.")
        return redirect("marketplace:dashboard")
    return render(request, "marketplace/listing_confirm_delete.html", {"listing": listing})


# --- favourites, questions, contact ----------------------------------------------


def _public_listing(pk: int) -> Listing:
    listing = get_object_or_404(Listing.objects.select_related("seller"), pk=pk)
    if not listing.is_public:
        raise Http404("No such listing.")
    return listing


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


@login_required
@require_POST
def question_ask(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _public_listing(pk)
    form = QuestionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Write your question (up to 2,000 characters).")
        services.question_ask(asker=request.user, listing=listing, body=form.cleaned_data["body"])
        messages.success(request, "Question posted. The seller has been notified.")
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(listing.get_absolute_url() + "#questions")


@login_required
@require_POST
def question_answer(request: AuthenticatedHttpRequest, pk: int, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("listing", "asker"), pk=question_id, listing_id=pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Write an answer.")
        services.question_answer(actor=request.user, question=question, answer=form.cleaned_data["answer"])
        messages.success(request, "Answer posted.")
    except PermissionDenied:
        raise Http404("No such question.") from None
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(question.get_absolute_url())


@login_required
@require_POST
def contact_seller(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Start (or add to) the conversation; a refused message comes back in its form, text kept."""
    listing = _public_listing(pk)
    form = MessageForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            conversation = services.conversation_start(
                buyer=request.user, listing=listing, body=form.cleaned_data["body"]
            )
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Message sent to the seller.")
            return redirect(conversation.get_absolute_url())
    return render(request, "marketplace/contact_seller.html", {"listing": listing, "form": form}, status=status)


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


# --- dashboard, comps, dealers ------------------------------------------------------


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


@moderator_required
def listing_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.select_related("seller"), pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            if request.POST.get("decision") == "approve":
                services.listing_approve(actor=request.user, listing=listing)
                messages.success(request, "Listing approved and visible.")
            elif request.POST.get("decision") == "remove":
                try:
                    services.listing_remove(
                        actor=request.user, listing=listing, note=request.POST.get("note", "")[:500]
                    )
                except ValidationError as exc:
                    _flash_error(request, exc)
                else:
                    messages.success(request, "Listing removed.")
        return redirect(reverse("moderation:queue"))
    return render(request, "marketplace/listing_review.html", {"listing": listing})


def search_url(params: dict[str, Any]) -> str:
    return reverse("marketplace:index") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


# --- conversations (/messages/) ------------------------------------------------------


@login_required
def conversation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    conversations = list(selectors.conversations_for(user=request.user)[:200])
    unread = sum(1 for c in conversations if c.has_unread)
    return render(request, "marketplace/conversation_list.html", {"conversations": conversations, "unread": unread})


@login_required
def conversation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_get_for(user=request.user, pk=pk)
    if conversation is None:
        raise Http404("No such conversation.")
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.message_send(sender=request.user, conversation=conversation, body=form.cleaned_data["body"])
        except RateLimited as exc:  # the page comes back with the typed text in the form
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect(conversation.get_absolute_url() + "#latest")
    services.conversation_mark_read(user=request.user, conversation=conversation)
    other = conversation.seller if request.user.pk == conversation.buyer_id else conversation.buyer
    msgs = selectors.conversation_messages(conversation=conversation, viewer=request.user)
    return render(
        request,
        "marketplace/conversation_detail.html",
        {
            "conversation": conversation,
            "messages_list": msgs,
            "other": other,
            "form": form,
            "any_warning": any(m.scam_warning for m in msgs),
            "scam_warning": services.SCAM_WARNING,
        },
        status=status,
    )

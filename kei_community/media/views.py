"""Reusable photo views.

An app mounts one URL per owning object and calls `handle_photo_action` from it:

    @login_required
    def listing_photos(request, pk):
        listing = get_object_or_404(Listing, pk=pk)
        return handle_photo_action(
            request, listing, redirect_url=reverse("marketplace:listing-edit", args=[pk]),
        )

Who may use it is the owning app's check, registered once for the model
(kei_community.media.registry.register_owner) and asked about the object as it is now;
moderators may also manage (not upload), and their deletions are audited.

GET renders a plain "manage photos" page; POST handles the manager's actions
(upload several files, move up/down, set cover, edit alt text, delete) and
redirects back (Post/Redirect/Get), or answers JSON to photos.js.
On its own edit page an app can also embed `{% photo_manager listing action_url %}`
(from `{% load photos %}`), which posts to the same view.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kei_community.core.redirects import safe_redirect_url
from kei_community.media import registry, selectors, services
from kei_community.media.api.serializers import PhotoSerializer
from kei_community.media.forms import AvatarForm, PhotoUploadForm

ACTIONS = ("upload", "up", "down", "cover", "delete", "alt")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _messages_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _safe_redirect(request: HttpRequest, url: str) -> str:
    return safe_redirect_url(request, url, fallback="/")


def manager_context(
    *,
    owner: models.Model,
    action_url: str,
    can_edit: bool = True,
    max_photos: int | None = None,
    photos: Any = None,
) -> dict[str, Any]:
    """Context for media/photo_manager.html."""
    from django.conf import settings

    limit = max_photos if max_photos is not None else settings.PHOTO_MAX_PER_OBJECT
    items = list(photos) if photos is not None else list(selectors.photos_for(owner))
    return {
        "owner": owner,
        "photos": items,
        "action_url": action_url,
        "can_edit": can_edit,
        "max_photos": limit,
        "upload_form": PhotoUploadForm(max_photos=limit),
        "manager_id": f"pm-{owner._meta.label_lower.replace('.', '-')}-{owner.pk}",
    }


def handle_photo_action(
    request: HttpRequest,
    owner: models.Model,
    *,
    redirect_url: str,
    max_photos: int | None = None,
    title: str = "Photos",
) -> HttpResponse:
    """GET: the manage-photos page. POST: one manager action, then redirect back (or JSON).

    Whether request.user may change owner's photos is the owning app's registered check on
    owner as it is now (kei_community.media.registry), asked here and again by every service
    call, so a member can never touch photos of a post that is not theirs (403).
    """
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not services.can_manage_photos(actor=request.user, owner=owner):
        raise PermissionDenied("You can only change photos of your own posts.")
    redirect_url = _safe_redirect(request, redirect_url)
    action_url = request.get_full_path()
    if request.method == "GET":
        ctx = manager_context(owner=owner, action_url=action_url, max_photos=max_photos)
        ctx.update({"title": title, "back_url": redirect_url})
        return render(request, "media/photo_manage.html", ctx)
    if request.method != "POST":
        return HttpResponse(status=405)

    action = request.POST.get("action", "upload")
    if action not in ACTIONS:
        return _done(request, redirect_url, errors=["Unknown action."], status=400)
    if action == "upload":
        if not registry.may_manage(request.user, owner):  # moderators manage, they do not upload
            raise PermissionDenied("You can only add photos to your own posts.")
        return _upload(request, owner, redirect_url=redirect_url, max_photos=max_photos)

    photo = selectors.photo_for_owner(owner=owner, photo_id=request.POST.get("photo"))
    if photo is None:
        return _done(
            request, redirect_url, errors=["That photo does not exist (it may have been deleted)."], status=404
        )
    try:
        if action in ("up", "down"):
            services.photo_move(actor=request.user, photo=photo, direction=action)
            note = "Photo moved."
        elif action == "cover":
            services.photo_set_cover(photo=photo, actor=request.user)
            note = "Cover photo chosen."
        elif action == "alt":
            services.photo_update_alt(photo=photo, alt=request.POST.get("alt", ""), actor=request.user)
            note = "Description saved."
        else:
            services.photo_delete(actor=request.user, photo=photo)
            note = "Photo deleted."
    except ValidationError as exc:
        return _done(request, redirect_url, errors=_messages_of(exc), status=400)
    return _done(request, redirect_url, notes=[note])


def _upload(request: HttpRequest, owner: models.Model, *, redirect_url: str, max_photos: int | None) -> HttpResponse:
    files = request.FILES.getlist("photos") or request.FILES.getlist("file")
    if not files:
        return _done(request, redirect_url, errors=["Choose at least one photo to upload."], status=400)
    added: list[Any] = []
    errors: list[str] = []
    for upload in files:
        try:
            added.append(services.photo_add(uploader=request.user, owner=owner, upload=upload, max_photos=max_photos))
        except ValidationError as exc:
            errors.extend(f"{upload.name}: {m}" for m in _messages_of(exc))
    notes = (
        [f"{len(added)} photo{'s' if len(added) != 1 else ''} uploaded; they will appear in a moment."] if added else []
    )
    status = 201 if added and not errors else (400 if errors and not added else 207 if errors else 201)
    return _done(request, redirect_url, notes=notes, errors=errors, status=status, photos=added)


def _done(
    request: HttpRequest,
    redirect_url: str,
    *,
    notes: list[str] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
    photos: list | None = None,
) -> HttpResponse:
    notes, errors = notes or [], errors or []
    if _wants_json(request):
        body = {
            "detail": errors[0] if errors else (notes[0] if notes else "OK"),
            "errors": {"photos": errors} if errors else {},
            "photos": PhotoSerializer(photos or [], many=True).data,
        }
        return JsonResponse(body, status=status)
    for note in notes:
        messages.success(request, note)
    for error in errors:
        messages.error(request, error)
    return redirect(redirect_url)


# Alias named in the project brief.
handle_photo_upload = handle_photo_action


@login_required
@require_http_methods(["GET", "POST"])
def avatar(request: HttpRequest) -> HttpResponse:
    """/photos/avatar/: upload, replace or remove your profile picture."""
    current = selectors.avatar_for(request.user, fresh=True)
    form = AvatarForm()
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            services.avatar_remove(user=request.user)
            messages.success(request, "Profile picture removed.")
            return redirect("media:avatar")
        form = AvatarForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.avatar_set(user=request.user, upload=form.cleaned_data["photo"])
            except ValidationError as exc:
                form.add_error("photo", exc)
            else:
                messages.success(request, "Profile picture updated; it will appear in a moment.")
                return redirect("media:avatar")
        status = 400
    else:
        status = 200
    return render(
        request,
        "media/avatar_form.html",
        {"form": form, "current": current, "profile_url": reverse("users:profile", args=[request.user.pk])},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def original(request: HttpRequest, pk: int) -> HttpResponseBase:
    """/photos/<id>/original/: the original a member uploaded, for moderators only (audited).

    On object storage: a redirect to a presigned URL of the private bucket valid
    PHOTO_ORIGINAL_URL_SECONDS. On the filesystem: the file itself. Never cached anywhere.
    """
    photo = selectors.photo_get(photo_id=pk)
    if photo is None:
        raise Http404("No such photo.")
    try:
        access = services.photo_original_access(actor=request.user, photo=photo)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages))
    response: HttpResponseBase
    if access.url is not None:
        response = HttpResponseRedirect(access.url)
    else:
        response = FileResponse(access.file, content_type=access.content_type)
        response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response

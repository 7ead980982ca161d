from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kei_community.core.redirects import next_url
from kei_community.moderation import actions, selectors
from kei_community.moderation.forms import ModerationActionForm, QueueFilterForm, ReportForm, ReviewForm
from kei_community.moderation.models import Removal, Report
from kei_community.moderation.services import report_create_for, report_dismiss, report_resolve, target_reports_close
from kei_community.users.permissions import moderator_required

QUEUE_PAGE_SIZE = 20
SUSPENDED_SHOWN = 50
AUDIT_PAGE_SIZE = 50
DUPLICATE_MESSAGE = "You have already reported this; a moderator will review it."


def _content_type_or_404(content_type_id: int) -> ContentType:
    try:
        return ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        raise Http404("No such content.")


@login_required
def report_target(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    """GET: the report form on its own page. POST: file the report (any registered kind of content)."""
    content_type = _content_type_or_404(content_type_id)
    target = selectors.reportable_object(content_type=content_type, object_id=object_id)
    if target is None:
        raise Http404("This content does not exist or cannot be reported.")
    described = selectors.describe_target(target)
    back = next_url(request, fallback=described.get("url") or "/")
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report_create_for(
                    reporter=request.user,
                    content_type=content_type,
                    object_id=object_id,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                if DUPLICATE_MESSAGE in exc.messages:
                    messages.info(request, DUPLICATE_MESSAGE)
                    return redirect(back)
                for fld, errs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                    for err in errs:
                        form.add_error(fld if fld in form.fields else None, err)
            else:
                messages.success(request, "Thank you. A moderator will review your report.")
                return redirect(back)
    else:
        form = ReportForm()
    return render(
        request,
        "moderation/report_create.html",
        {"form": form, "target": described, "next": back},
        status=400 if form.errors else 200,
    )


@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    """Open reports grouped by target and items awaiting approval, filterable by app and reason."""
    filters = QueueFilterForm(request.GET)
    app = reason = ""
    if filters.is_valid():
        app = filters.cleaned_data["app"]
        reason = filters.cleaned_data["reason"]
    page = Paginator(selectors.open_report_groups(app=app, reason=reason), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    groups = selectors.report_groups_detail(list(page.object_list))
    for group in groups:
        situation = actions.situation_for_state(request.user, group)
        group.actions = actions.shown(situation, actions.TARGET_ACTION_NAMES)  # type: ignore[attr-defined]
    awaiting = [] if reason else selectors.awaiting_approval(app=app)
    return render(
        request,
        "moderation/report_queue.html",
        {
            "page_obj": page,
            "groups": groups,
            "awaiting": awaiting,
            "apps": selectors.queue_apps(),
            "reasons": [("", "Any reason"), *Report.Reason.choices],
            "app": app,
            "reason": reason,
            "review_form": ReviewForm(),
            "action_form": ModerationActionForm(),
            "suspended": list(selectors.suspended_members()[:SUSPENDED_SHOWN]),
        },
    )


@moderator_required
@require_POST
def review_target(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    content_type = _content_type_or_404(content_type_id)
    form = ReviewForm(request.POST)
    back = next_url(request, fallback="/moderation/")
    if not form.is_valid():
        messages.error(request, "Choose resolve or dismiss.")
        return redirect(back)
    try:
        closed = target_reports_close(
            actor=request.user,
            content_type=content_type,
            object_id=object_id,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        verb = "resolved" if form.cleaned_data["decision"] == "resolve" else "dismissed"
        messages.success(request, f"{len(closed)} report{'s' if len(closed) != 1 else ''} {verb}.")
    return redirect(back)


REPORT_DECISIONS = {"resolve": (report_resolve, "resolved"), "dismiss": (report_dismiss, "dismissed")}


@moderator_required
@require_POST
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve or dismiss one report of a target (the same services as the API); the others stay open."""
    form = ReviewForm(request.POST)
    back = next_url(request, fallback="/moderation/")
    if not form.is_valid():
        messages.error(request, "Choose resolve or dismiss.")
        return redirect(back)
    report = get_object_or_404(Report.objects.select_related("reporter", "target_type"), pk=pk)
    close, verb = REPORT_DECISIONS[form.cleaned_data["decision"]]
    try:
        close(actor=request.user, report=report, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Report by {report.reporter.public_name} {verb}.")
    return redirect(back)


@moderator_required
def audit_log(request: HttpRequest) -> HttpResponse:
    actions = selectors.audit_actions()
    action = request.GET.get("action", "")
    if action not in actions:
        action = ""
    page = Paginator(selectors.audit_entries(action=action), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/auditlogentry_list.html",
        {"page_obj": page, "entries": page.object_list, "actions": actions, "action": action},
    )


# --- acting on content and members --------------------------------------------------------------


def _form_errors(form: ModerationActionForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for fld, errs in exc.message_dict.items():
            form.add_error(fld if fld in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _perform(
    request: HttpRequest, form: ModerationActionForm, situation: actions.Situation, names: tuple[str, ...]
) -> tuple[str, int]:
    """Run the verb the form names: ("message", 200) when done, else ("", 400/403) with the form's errors."""
    if not form.is_valid():
        return "", 400
    data = form.cleaned_data
    try:
        done = actions.perform(
            situation,
            data["action"],
            names=names,
            reason=data["reason"],
            note=data["note"],
            ends_at=data["ends_at"],
        )
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or "You cannot do this.")
        return "", 403
    except ValidationError as exc:
        _form_errors(form, exc)
        return "", 400
    return done, 200


@moderator_required
def object_detail(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    """One piece of content for moderators: its state, reports, photos and every verb that applies.
    POST runs one verb (the button's ``action``), then goes back to ``next`` (the queue) or this page;
    a refused verb shows this page again with the typed reason and the error."""
    content_type = _content_type_or_404(content_type_id)
    state = selectors.target_state(content_type=content_type, object_id=object_id)
    if state is None:
        raise Http404("This content does not exist or cannot be moderated.")
    form = ModerationActionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        done, status = _perform(
            request, form, actions.situation_for_state(request.user, state), actions.TARGET_ACTION_NAMES
        )
        if done:
            messages.success(request, done)
            return redirect(next_url(request, fallback=request.path))
    situation = actions.situation_for_state(request.user, state)
    photos = getattr(state.obj, "photos", None)
    return render(
        request,
        "moderation/object_detail.html",
        {
            "state": state,
            "actions": actions.shown(situation, actions.TARGET_ACTION_NAMES),
            "form": form,
            "photos": list(photos.all()) if photos is not None and state.handlers.removable else [],
            "photo_type": ContentType.objects.get_by_natural_key("media", "photo"),
            "next": next_url(request, fallback=""),
        },
        status=status,
    )


@moderator_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's moderation record (warnings, suspensions, removals) and the member-wide verbs."""
    member = get_object_or_404(get_user_model(), pk=pk)
    form = ModerationActionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        situation = actions.situation_for_member(request.user, selectors.member_overview(member=member))
        done, status = _perform(request, form, situation, actions.MEMBER_ACTION_NAMES)
        if done:
            messages.success(request, done)
            return redirect(next_url(request, fallback=request.path))
    overview = selectors.member_overview(member=member)
    situation = actions.situation_for_member(request.user, overview)
    return render(
        request,
        "moderation/member_detail.html",
        {
            "overview": overview,
            "member": member,
            "actions": actions.shown(situation, actions.MEMBER_ACTION_NAMES),
            "form": form,
            "next": next_url(request, fallback=""),
        },
        status=status,
    )


def gone(request: HttpRequest, *, noun: str, removal: Removal | None = None) -> HttpResponse:
    """410 Gone with a short public notice, for content a moderator removed (apps' detail views)."""
    return render(request, "moderation/gone.html", {"noun": noun, "removal": removal}, status=410)

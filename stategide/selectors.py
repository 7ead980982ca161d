"""Reads for the state guide. Other apps may import this module (and only this module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from kei_community.core import cache_tags, caching
from kei_community.core.ids import parse_id
from stategide.models import Citation, LawEvent, Revision, StatePage, Status, Watch


@dataclass(frozen=True)
class RegistrationOutlook:
    state_code: str
    state_name: str
    status: str
    status_label: str
    summary: str  # one line
    last_verified: date | None
    confidence: str
    url: str


def one_line(text: str, limit: int = 160) -> str:
    """First sentence (or the first `limit` characters) of a summary, on one line."""
    text = " ".join((text or "").split())
    for stop in (". ", "; "):
        head, sep, _ = text.partition(stop)
        if sep and len(head) >= 20:
            text = head + "."
            break
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def _outlook(page: StatePage) -> list:
    """One jurisdiction's outlook as primitives for the cache (see `_outlook_from`)."""
    rev = page.published_revision
    status = rev.status if rev else Status.UNCLEAR
    return [
        page.code, page.name, str(status), str(Status(status).label),
        one_line(rev.summary) if rev else "No published guide yet.",
        rev.verified_on.isoformat() if rev and rev.verified_on else None,
        rev.confidence if rev else "low", page.get_absolute_url(),
    ]  # fmt: skip


def _outlook_from(values: list) -> RegistrationOutlook:
    code, name, status, label, summary, verified, confidence, url = values
    return RegistrationOutlook(
        state_code=code, state_name=name, status=status, status_label=label, summary=summary,
        last_verified=date.fromisoformat(verified) if verified else None, confidence=confidence, url=url,
    )  # fmt: skip


def registration_outlooks() -> dict[str, RegistrationOutlook]:
    """Every jurisdiction's outlook, cached in region "guide.data" under the STATES tag (one query when cold)."""
    rows = caching.get_or_build(
        "guide.data",
        "outlooks",
        lambda: [_outlook(p) for p in StatePage.objects.select_related("published_revision").order_by("code")],
        tags=[cache_tags.STATES],
    )
    return {values[0]: _outlook_from(values) for values in rows}


def registration_outlook(state_code: str) -> RegistrationOutlook | None:
    """The short answer for one state (e.g. on every marketplace listing and forum thread about it); None for
    unknown codes. Cached per state under its state tag, so a publish there changes it at once."""
    code = (state_code or "").strip().upper()
    if len(code) != 2:
        return None

    def build() -> list:  # [] when there is no page for that code (a page created later fires its tag)
        page = StatePage.objects.select_related("published_revision").filter(code=code).first()
        return _outlook(page) if page is not None else []

    values = caching.get_or_build("guide.data", f"outlook:{code}", build, tags=[cache_tags.state(code)], local=True)
    return _outlook_from(values) if values else None


# --- pages -------------------------------------------------------------------

SORTS = {
    "state": ("name",),
    "status": ("published_revision__status", "name"),
    "speed": ("published_revision__max_road_speed_mph", "name"),
    "roads": ("published_revision__road_restrictions", "name"),
    "confidence": ("published_revision__confidence", "name"),
    "verified": ("published_revision__verified_on", "name"),
}
CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}


def page_list(*, status: str = "", sort: str = "state") -> list[StatePage]:
    """All pages with their published revision (one query). `sort` may start with '-'."""
    qs = StatePage.objects.select_related("published_revision__verified_by")
    if status and status in Status.values:
        qs = qs.filter(published_revision__status=status)
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field not in SORTS:
        field, descending = "state", False
    pages = list(qs.order_by("name"))
    if field == "confidence":
        pages.sort(
            key=lambda p: CONFIDENCE_ORDER.get(p.published_revision.confidence if p.published_revision else "low", 3)
        )
    elif field != "state":
        path = SORTS[field][0].split("__")

        def value(page: StatePage) -> Any:
            obj: Any = page
            for part in path:
                obj = getattr(obj, part, None) if obj is not None else None
            return obj

        present = [p for p in pages if value(p) not in (None, "")]
        missing = [p for p in pages if value(p) in (None, "")]
        present.sort(key=value, reverse=descending)
        return present + missing  # empty values last either way
    if descending:
        pages.reverse()
    return pages


def page_get(code: str, *, viewer: Any = None) -> StatePage | None:
    """One page with its published revision and citations; with `viewer`, also `viewer_watch`
    (True/False from an explicit watch row, None when there is none) in the same query."""
    code = (code or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        return None
    qs = StatePage.objects.select_related(
        "published_revision__author", "published_revision__verified_by", "protected_by"
    ).prefetch_related(
        Prefetch("published_revision__citations", queryset=Citation.objects.order_by("position", "id")),
        Prefetch("events", queryset=LawEvent.objects.order_by("date", "id")),
    )
    if getattr(viewer, "is_authenticated", False):
        qs = qs.annotate(
            viewer_watch=Subquery(Watch.objects.filter(page=OuterRef("pk"), user=viewer).values("watching")[:1])
        )
    return qs.filter(code=code).first()


def revision_list(*, page: StatePage) -> QuerySet[Revision]:
    return page.revisions.select_related("author", "reviewed_by").order_by("-number")


def revision_get(*, page: StatePage, number: Any) -> Revision | None:
    number = parse_id(number)
    if number is None:
        return None
    return (
        Revision.objects.select_related("author", "reviewed_by", "base_revision", "page")
        .prefetch_related(Prefetch("citations", queryset=Citation.objects.order_by("position", "id")))
        .filter(page=page, number=number)
        .first()
    )


def revision_get_by_id(*, page: StatePage, revision_id: Any) -> Revision | None:
    revision_id = parse_id(revision_id)
    if revision_id is None:
        return None
    return (
        Revision.objects.select_related("author", "page", "base_revision")
        .prefetch_related("citations")
        .filter(page=page, pk=revision_id)
        .first()
    )


def pending_proposals() -> QuerySet[Revision]:
    return (
        Revision.objects.filter(state=Revision.State.PENDING)
        .select_related("page", "author")
        .order_by("created_at", "id")
    )


# --- watching ----------------------------------------------------------------


def is_watching(*, user: Any, page: StatePage) -> bool:
    """Explicit watch rows win; otherwise members watch their home state automatically."""
    if not getattr(user, "is_authenticated", False):
        return False
    if hasattr(page, "viewer_watch"):  # annotated by page_get(code, viewer=user)
        row = page.viewer_watch
    else:
        row = Watch.objects.filter(user=user, page=page).values_list("watching", flat=True).first()
    if row is not None:
        return bool(row)
    return user.home_state == page.code


def page_watchers(*, page: StatePage) -> list[Any]:
    """Everyone notified of approved changes: explicit watchers plus home-state members who did not opt out."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    opted_out = Watch.objects.filter(page=page, watching=False).values("user_id")
    explicit = Watch.objects.filter(page=page, watching=True).values("user_id")
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=explicit) | (Q(home_state=page.code) & ~Q(pk__in=opted_out)))
        .order_by("pk")
    )


# --- reminders -----------------------------------------------------------------

STALE_AFTER_DAYS = 180
EFFECTIVE_WITHIN_DAYS = 90  # moderators' reminder
IN_FORCE_SOON_DAYS = 365  # "In force soon" on the guide's index


def pages_needing_verification(*, today: date | None = None) -> list[StatePage]:
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=STALE_AFTER_DAYS)
    return list(
        StatePage.objects.filter(
            Q(published_revision__verified_on__isnull=True) | Q(published_revision__verified_on__lt=cutoff)
        )
        .select_related("published_revision")
        .order_by("name")
    )


def laws_taking_effect_soon(*, today: date | None = None, within: int = EFFECTIVE_WITHIN_DAYS) -> list[LawEvent]:
    """'Law in force' events of the timeline dated from today to `within` days ahead, soonest first (one query)."""
    today = today or timezone.localdate()
    return list(
        LawEvent.objects.filter(
            kind=LawEvent.Kind.LAW_IN_FORCE, date__gte=today, date__lte=today + timedelta(days=within)
        )
        .select_related("page")
        .order_by("date", "page__name", "id")
    )


def events_for(*, page: StatePage) -> list[LawEvent]:
    return list(LawEvent.objects.filter(page=page).order_by("date", "id"))


def event_get(*, page: StatePage, event_id: Any) -> LawEvent | None:
    from kei_community.core.ids import parse_id

    pk = parse_id(event_id)
    if pk is None:
        return None
    return LawEvent.objects.filter(page=page, pk=pk).first()


def search_pages(*, query: str, limit: int = 10) -> list[StatePage]:
    query = (query or "").strip()
    if not query:
        return []
    qs = StatePage.objects.select_related("published_revision").filter(
        Q(name__icontains=query) | Q(code__iexact=query) | Q(published_revision__summary__icontains=query)
    )
    return list(qs.order_by("name")[:limit])


# --- what a reader should know we don't know ----------------------------------------------

UNKNOWN_BY_STATUS: dict[str, str] = {
    Status.UNCLEAR.value: "We have not found a law or DMV notice that says whether a kei truck can be titled and "
    "registered for road use in {state}.",
}
UNKNOWN_BY_CONFIDENCE = {
    "low": "Our sources are secondary (lists and articles, or nothing at all); none of them is the law itself.",
    "medium": "Our sources agree with a statute reference, but we have not yet confirmed the current text of the law.",
}


def reader_unknowns(*, page: StatePage, revision: Revision | None, today: date | None = None) -> list[str]:
    """ "What we don't know yet", in plain words, derived from the published revision's status,
    confidence, verification and empty fields (never the moderators' open questions)."""
    if revision is None:
        return ["Nothing has been written about this state yet."]
    today = today or timezone.localdate()
    items = []
    if revision.status in UNKNOWN_BY_STATUS:
        items.append(UNKNOWN_BY_STATUS[revision.status].format(state=page.name))
    if revision.confidence in UNKNOWN_BY_CONFIDENCE:
        items.append(UNKNOWN_BY_CONFIDENCE[revision.confidence])
    if revision.verified_on is None:
        items.append("No moderator has checked this version of the page against its sources yet.")
    elif revision.verified_on < today - timedelta(days=STALE_AFTER_DAYS):
        items.append("A moderator last checked this page more than six months ago; the law may have changed since.")
    if revision.status in (Status.ROAD_LEGAL, Status.RESTRICTED) and revision.max_road_speed_mph is None:
        items.append("Which roads, by posted speed limit, a kei truck may use.")
    if not revision.registration_notes and not revision.registration_steps:
        items.append("How titling and registration work in practice at the DMV.")
    if not revision.insurance_notes:
        items.append("What insurance is required, and whether insurers cover kei trucks here.")
    return items


# --- the verification queue (moderators) -----------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    page: StatePage
    views: int
    listings: int
    trucks: int
    watchers: int
    days_since_verified: int | None  # None: this version was never verified
    overdue: bool  # never verified, or verified more than STALE_AFTER_DAYS ago
    pending_proposals: int

    @property
    def importance(self) -> int:
        """Readers, trucks for sale and trucks owned in the state, and members watching it."""
        return self.views + 10 * (self.listings + self.trucks) + 5 * self.watchers


def state_listing_counts() -> dict[str, int]:
    """Active listings per state, from whatever the marketplace registered (hook "state_listing_counts")."""
    from kei_community.core.registry import call_hooks

    counts: dict[str, int] = {}
    for result in call_hooks("state_listing_counts"):
        for code, n in (result or {}).items():
            counts[code] = counts.get(code, 0) + int(n)
    return counts


def state_truck_counts() -> dict[str, int]:
    """Garage trucks per state (the owner's home state), one query."""
    from django.db.models import Count

    from kei_community.vehicles.models import GarageTruck

    rows = (
        GarageTruck.objects.exclude(owner__home_state="").values("owner__home_state").annotate(n=Count("id")).order_by()
    )
    return {row["owner__home_state"]: row["n"] for row in rows}


def state_watcher_counts() -> dict[str, int]:
    """Members notified per state: explicit watchers plus home-state members without a watch row (3 queries)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, F

    User = get_user_model()
    active = User.objects.filter(is_active=True)
    explicit = (
        Watch.objects.filter(watching=True, user__is_active=True)
        .values("page__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    home = active.exclude(home_state="").values("home_state").annotate(n=Count("id")).order_by()
    home_with_row = (
        Watch.objects.filter(user__is_active=True, page__code=F("user__home_state"))
        .values("page__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for row in explicit:
        counts[row["page__code"]] = counts.get(row["page__code"], 0) + row["n"]
    for row in home:
        counts[row["home_state"]] = counts.get(row["home_state"], 0) + row["n"]
    for row in home_with_row:
        counts[row["page__code"]] = counts.get(row["page__code"], 0) - row["n"]
    return counts


def verification_queue(*, today: date | None = None) -> list[QueueEntry]:
    """Every page, the ones that need checking first: overdue pages (never verified, or more than
    STALE_AFTER_DAYS ago) before recently verified ones; within each group the most important first
    (QueueEntry.importance), then the longest unverified. A constant number of queries."""
    from django.db.models import Count

    today = today or timezone.localdate()
    listings, trucks, watchers = state_listing_counts(), state_truck_counts(), state_watcher_counts()
    pages = (
        StatePage.objects.select_related("published_revision__verified_by")
        .annotate(pending=Count("revisions", filter=Q(revisions__state=Revision.State.PENDING)))
        .order_by("name")
    )
    entries = []
    for page in pages:
        rev = page.published_revision
        verified = rev.verified_on if rev else None
        days = (today - verified).days if verified else None
        entries.append(
            QueueEntry(
                page=page,
                views=page.views_count,
                listings=listings.get(page.code, 0),
                trucks=trucks.get(page.code, 0),
                watchers=watchers.get(page.code, 0),
                days_since_verified=days,
                overdue=days is None or days > STALE_AFTER_DAYS,
                pending_proposals=page.pending,  # type: ignore[attr-defined]
            )
        )
    never = 10**6
    entries.sort(
        key=lambda e: (
            not e.overdue,
            -e.importance,
            -(e.days_since_verified if e.days_since_verified is not None else never),
            e.page.name,
        )
    )
    return entries


def verifications_of(*, revision: Revision, limit: int = 10) -> list[Any]:
    from stategide.models import Verification

    return list(Verification.objects.filter(revision=revision).select_related("verified_by")[:limit])

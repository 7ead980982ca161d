"""State guide: one page per jurisdiction, revisions (django-wiki style) with a published pointer,
pending proposals reviewed by moderators (FlaggedRevs style), structured citations per revision."""

from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

MAX_SPEED_MPH = 80


class Status(models.TextChoices):
    ROAD_LEGAL = "road_legal", "Road legal"
    RESTRICTED = "restricted", "Restricted roads"
    FARM_OR_OFFROAD_ONLY = "farm_or_offroad_only", "Farm or off-road only"
    NOT_ALLOWED = "not_allowed", "Not allowed"
    UNCLEAR = "unclear", "Unclear"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class StatePage(models.Model):
    """One jurisdiction (50 states + DC). Content lives in revisions; `published_revision` is the pointer."""

    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=60)
    published_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Verification belongs to revisions (Revision.verified_on / verified_by, Verification).
    # Page views (counted in the cache, written in batches: services.page_record_view).
    views_count = models.PositiveIntegerField(default=0)
    # Protection: only moderators may propose edits until protected_until.
    protected_until = models.DateTimeField(null=True, blank=True)
    protection_reason = models.CharField(max_length=300, blank=True)
    protected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What a moderator should check next (from the reference data or the verification queue).
    # Shown to moderators only, never on the public page or in the public API.
    open_questions = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stategide:detail", kwargs={"code": self.code.lower()})

    @property
    def is_protected(self) -> bool:
        return self.protected_until is not None and self.protected_until > timezone.now()


def validate_http_url(value: str) -> None:
    URLValidator(schemes=["http", "https"], message="Enter a web address that starts with http:// or https://.")(value)


class Revision(models.Model):
    """An immutable snapshot of a page's content; proposals are pending revisions."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    page = models.ForeignKey(StatePage, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING, db_index=True)
    # The published revision the author started from; a different pointer at review time means
    # the page changed after the proposal began.
    base_revision = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    conflicting = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="state_revisions"
    )
    edit_summary = models.CharField(max_length=300)
    # The status changed but the summary did not, and the editor confirmed the summary still matches.
    summary_confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    # Verification belongs to the revision: the latest check of exactly this content (a restored
    # revision carries the verification of the revision it restores). History is in Verification.
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # --- structured content ---------------------------------------------------
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.UNCLEAR)
    summary = models.CharField(max_length=1000, help_text="One or two sentences: the short answer.")
    vehicle_class = models.CharField("vehicle class used by the state", max_length=120, blank=True)
    max_road_speed_mph = models.PositiveSmallIntegerField(
        "maximum posted road speed allowed (mph)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_SPEED_MPH)],
    )
    speed_note = models.CharField("speed note", max_length=120, blank=True)
    vehicle_speed_cap_mph = models.PositiveSmallIntegerField(
        "vehicle speed cap (mph)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_SPEED_MPH)],
    )
    road_restrictions = models.TextField(blank=True)
    local_option = models.BooleanField("local governments may opt in or out", null=True, blank=True)
    interstate_ban = models.BooleanField("banned from interstates", null=True, blank=True)
    registration_steps = models.JSONField(default=list, blank=True)
    required_documents = models.JSONField(default=list, blank=True)
    registration_notes = models.TextField(blank=True)
    plate_type = models.CharField(max_length=120, blank=True)
    insurance_notes = models.TextField(blank=True)
    inspection_notes = models.TextField("inspection and emissions notes", blank=True)
    statute_refs = models.TextField("statute references", blank=True)
    law_effective_date = models.DateField(null=True, blank=True)
    pending_bills = models.TextField(blank=True)
    confidence = models.CharField(max_length=8, choices=Confidence.choices, default=Confidence.LOW)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["page", "-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="stategide_revision_number")]
        indexes = [models.Index(fields=["state", "created_at"], name="stategide_rev_state_created")]

    def __str__(self) -> str:
        return f"{self.page_id} r{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("stategide:revision", kwargs={"code": self.page.code.lower(), "number": self.number})

    def clean(self) -> None:
        super().clean()
        if not (self.summary or "").strip():
            raise ValidationError({"summary": "Write a short summary of the law."})
        for name in ("registration_steps", "required_documents"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ValidationError({name: "Give a list of short text items."})


class Citation(models.Model):
    class Kind(models.TextChoices):
        STATUTE = "statute", "Statute"
        BILL = "bill", "Bill"
        AGENCY = "agency", "Agency page"
        COURT = "court", "Court"
        NEWS = "news", "News"
        AGGREGATOR = "aggregator", "Aggregator"
        OWNER_REPORT = "owner_report", "Owner report"

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="citations")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    label = models.CharField("title", max_length=300)
    url = models.URLField(max_length=600, validators=[validate_http_url])
    retrieved_on = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField("primary source", default=False)

    class Meta:
        ordering = ["revision", "position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def host(self) -> str:
        """The site the source lives on, without 'www.' (shown next to the title)."""
        host = (urlparse(self.url).hostname or "").lower()
        return host.removeprefix("www.")

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "url": self.url,
            "retrieved_on": self.retrieved_on.isoformat() if self.retrieved_on else None,
            "is_primary": self.is_primary,
        }


class Verification(models.Model):
    """A moderator checked a published revision against its sources: what was checked, and when."""

    class Check(models.TextChoices):
        STATUTE = "statute", "Read the current statute or bill text"
        AGENCY = "agency", "Checked the DMV or agency page (or asked the DMV)"
        SOURCES = "sources", "Every source opens and says what the page says"
        SUMMARY = "summary", "The status and summary match the sources"
        DETAILS = "details", "Speeds, roads, registration and insurance notes match the sources"

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="verifications")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_on = models.DateField()
    checks = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.revision} verified {self.verified_on}"

    @property
    def check_labels(self) -> list[str]:
        labels = dict(self.Check.choices)
        return [str(labels.get(check, check)) for check in self.checks]


class LawEvent(models.Model):
    """A dated event in a state's law (moderators add them), each with its source."""

    class Kind(models.TextChoices):
        BILL_INTRODUCED = "bill_introduced", "Bill introduced"
        BILL_PASSED = "bill_passed", "Bill passed"
        BILL_SIGNED = "bill_signed", "Bill signed"
        LAW_IN_FORCE = "law_in_force", "Law in force"
        DMV_NOTICE = "dmv_notice", "DMV notice"
        COURT_RULING = "court_ruling", "Court ruling"
        REVERSAL = "reversal", "Reversal"

    page = models.ForeignKey(StatePage, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField(help_text="When it happened, or when the law takes effect.")
    title = models.CharField(max_length=200, help_text="For example: HB 1234 signed by the governor.")
    description = models.TextField(blank=True, max_length=1000)
    citation_url = models.URLField("source URL", max_length=600, validators=[validate_http_url])
    citation_title = models.CharField("source title", max_length=300)
    citation_kind = models.CharField("source kind", max_length=12, choices=Citation.Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["kind", "date"], name="stategide_event_kind_date")]

    def __str__(self) -> str:
        return f"{self.page_id} {self.date} {self.title}"

    @property
    def citation_host(self) -> str:
        return (urlparse(self.citation_url).hostname or "").lower().removeprefix("www.")

    def is_upcoming(self, today: object = None) -> bool:
        return self.date > (today or timezone.localdate())  # type: ignore[operator]


class Watch(models.Model):
    """A member's choice about a page. Home state pages are watched unless a row says watching=False."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="state_watches")
    page = models.ForeignKey(StatePage, on_delete=models.CASCADE, related_name="watches")
    watching = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="stategide_one_watch_per_page")]

    def __str__(self) -> str:
        return f"{self.user_id} {'watches' if self.watching else 'ignores'} {self.page_id}"


# Content fields copied from revision to revision and compared in diffs (body handled separately).
CONTENT_FIELDS: tuple[str, ...] = (
    "status",
    "summary",
    "vehicle_class",
    "max_road_speed_mph",
    "speed_note",
    "vehicle_speed_cap_mph",
    "road_restrictions",
    "local_option",
    "interstate_ban",
    "registration_steps",
    "required_documents",
    "registration_notes",
    "plate_type",
    "insurance_notes",
    "inspection_notes",
    "statute_refs",
    "law_effective_date",
    "pending_bills",
    "confidence",
    "body",
)
# Changing any of these needs at least one citation on the proposal.
CITATION_REQUIRED_FIELDS: frozenset[str] = frozenset(
    {"status", "max_road_speed_mph", "vehicle_speed_cap_mph", "road_restrictions", "interstate_ban", "local_option"}
)

# Citations of these kinds are primary sources (the law itself, a bill, the agency, a court).
PRIMARY_CITATION_KINDS: frozenset[str] = frozenset({"statute", "bill", "agency", "court"})
# The content fields the reference data (stategide/data/states.csv) sets.
REFERENCE_FIELDS: tuple[str, ...] = (
    "status",
    "summary",
    "max_road_speed_mph",
    "speed_note",
    "road_restrictions",
    "registration_notes",
    "insurance_notes",
    "statute_refs",
    "confidence",
)

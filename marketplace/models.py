"""Kei truck listings, favourites, saved searches, conversations and public questions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from kei_community.vehicles import models as vehicle_choices
from kei_community.vehicles.eligibility import Eligibility, import_eligibility, import_warning
from marketplace.listing_fields import FRAME_NUMBER_MAX_LENGTH, model_validators
from marketplace.listing_fields import MAX_PRICE as MAX_PRICE  # re-exported; the rule lives there

KM_PER_MILE = 1.609344


class Listing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PENDING = "pending", "Sale pending"
        SOLD = "sold", "Sold"
        EXPIRED = "expired", "Expired"
        REMOVED = "removed", "Removed by a moderator"

    # The truck's equipment: one set of choices with garage trucks (kei_community.vehicles), so "Sell this
    # truck" copies the values unchanged.
    OdometerUnit = vehicle_choices.OdometerUnit
    Transmission = vehicle_choices.Transmission

    class Drive(models.TextChoices):
        TWO = "2WD", "2WD"
        FOUR = "4WD", "4WD"

    BedType = vehicle_choices.BedType

    class TitleStatus(models.TextChoices):
        CLEAN = "clean", "Clean US title"
        IMPORT_DOCS = "import_docs", "Import documents only"
        BILL_OF_SALE = "bill_of_sale", "Bill of sale only"
        OFFROAD = "offroad", "Off-road / OHV title"
        ANTIQUE = "antique", "Antique"
        SALVAGE = "salvage", "Salvage / rebuilt"
        REVOKED = "revoked", "Registration revoked"

    class LocationStatus(models.TextChoices):
        US = "us", "In the US"
        PORT = "port", "At a US port"
        JAPAN = "japan", "In Japan"

    class SellerType(models.TextChoices):
        PRIVATE = "private", "Private seller"
        DEALER = "dealer", "Dealer / importer"

    class RegisteredAs(models.TextChoices):
        UNKNOWN = "", "Not registered / not sure"
        REGULAR = "regular", "Regular motor vehicle"
        LSV = "lsv", "Low-speed vehicle (LSV)"
        OFFROAD = "offroad", "Off-road / OHV"

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings")
    truck = models.ForeignKey(
        "vehicles.GarageTruck", on_delete=models.SET_NULL, null=True, blank=True, related_name="listings"
    )
    seller_type = models.CharField(max_length=10, choices=SellerType.choices, default=SellerType.PRIVATE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    held_for_review = models.BooleanField(default=False, help_text="First listing of a new account.")
    hidden = models.BooleanField(default=False, help_text="Hidden after reports, pending moderator review.")

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, blank=True)
    make = models.CharField(max_length=60, db_index=True)
    model = models.CharField(max_length=80, blank=True)
    chassis_code = models.ForeignKey(
        "vehicles.ChassisCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="listings"
    )
    frame_number = models.CharField(max_length=FRAME_NUMBER_MAX_LENGTH, blank=True)
    show_full_frame_number = models.BooleanField(default=False)
    year_built = models.PositiveSmallIntegerField(validators=model_validators("year_built"))
    month_built = models.PositiveSmallIntegerField(null=True, blank=True, validators=model_validators("month_built"))
    import_eligible_on = models.DateField(null=True, blank=True, help_text="Computed: NHTSA 25-year date.")
    us_market = models.BooleanField(default=False, help_text="Built for the US market.")
    registered_as = models.CharField(max_length=10, choices=RegisteredAs.choices, blank=True, default="")
    odometer = models.PositiveIntegerField(null=True, blank=True, validators=model_validators("odometer"))
    odometer_unit = models.CharField(max_length=2, choices=OdometerUnit.choices, default=OdometerUnit.KM)
    odometer_km = models.PositiveIntegerField(null=True, blank=True, db_index=True, help_text="Computed.")
    transmission = models.CharField(max_length=10, choices=Transmission.choices, blank=True)
    drive = models.CharField(max_length=3, choices=Drive.choices, blank=True)
    hi_lo = models.BooleanField("hi-lo range", default=False)
    diff_lock = models.BooleanField(default=False)
    bed_type = models.CharField(max_length=10, choices=BedType.choices, default=BedType.FLAT)
    air_conditioning = models.BooleanField(default=False)
    power_steering = models.BooleanField(default=False)
    colour = models.CharField(max_length=40, blank=True)
    condition_notes = models.TextField("condition and rust", max_length=4000, blank=True)
    title_status = models.CharField(max_length=14, choices=TitleStatus.choices, default=TitleStatus.CLEAN)
    location_status = models.CharField(max_length=6, choices=LocationStatus.choices, default=LocationStatus.US)
    zip_code = models.CharField("ZIP code", max_length=5, blank=True)  # blank only on drafts (publish needs it)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True, db_index=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    price = models.PositiveIntegerField(  # empty only on drafts (the sell flow asks for it at step 4)
        "price (US$)", validators=model_validators("price"), db_index=True,
        null=True, blank=True,
    )  # fmt: skip
    negotiable = models.BooleanField(default=False)
    description = models.TextField(max_length=20_000, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    # PostgreSQL: the keyword search's full-text vector, kept by a trigger (migration 0008, read by
    # marketplace.keywords); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    sold_at = models.DateTimeField(null=True, blank=True)
    sold_price = models.PositiveIntegerField(null=True, blank=True, validators=model_validators("sold_price"))
    views_count = models.PositiveIntegerField(default=0)
    favorites_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    photos = GenericRelation("media.Photo", content_type_field="owner_type", object_id_field="owner_id")

    # Set on search results by selectors.listing_search (miles from the searched ZIP); not a column.
    distance: float | None

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["lat", "lng"]),
            models.Index(fields=["chassis_code", "-published_at"], name="mkt_listing_code_pub"),
            models.Index(fields=["seller", "-published_at"], name="mkt_listing_seller_pub"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("marketplace:listing-detail", args=[self.pk, self.slug or slugify(self.title) or "truck"])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES and not self.hidden and not self.held_for_review

    @property
    def odometer_miles(self) -> int | None:
        return round(self.odometer_km / KM_PER_MILE) if self.odometer_km is not None else None

    @property
    def said_to_be_in_the_us(self) -> bool:
        """In the US or at a US port (where a truck too new for the 25-year rule cannot clear customs)."""
        return self.location_status in IN_US_LOCATIONS

    @property
    def eligibility(self) -> Eligibility:
        """NHTSA 25-year / EPA 21-year status today (kei_community.vehicles.eligibility)."""
        return import_eligibility(year_built=self.year_built, month_built=self.month_built, us_market=self.us_market)

    @property
    def import_warning(self) -> str:
        """The warning "Too new to have been imported legally under the 25-year rule — ask for import papers." for
        a truck not built for the US market, said to be in the US, not yet 25 years old from its build month."""
        return import_warning(
            year_built=self.year_built,
            month_built=self.month_built,
            us_market=self.us_market,
            in_us=self.said_to_be_in_the_us,
        )


PUBLIC_STATUSES = (Listing.Status.ACTIVE, Listing.Status.PENDING, Listing.Status.SOLD)
IN_US_LOCATIONS = (Listing.LocationStatus.US, Listing.LocationStatus.PORT)


class DealerProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dealer_profile")
    business_name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    show_phone = models.BooleanField(default=False)
    about = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.business_name

    def get_absolute_url(self) -> str:
        return reverse("marketplace:dealer-detail", args=[self.slug])


class Favorite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorite_listings")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="uniq_favorite")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.listing_id}"


class PriceChange(models.Model):
    """Recorded by listing_update when the asking price changes; drops notify favouriters."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="price_changes")
    old_price = models.PositiveIntegerField()
    new_price = models.PositiveIntegerField()
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.old_price} → {self.new_price}"


class SavedSearch(models.Model):
    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "Email me at once"
        DAILY = "daily", "Daily digest"
        OFF = "off", "No alerts"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, help_text="The search's URL query string.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketplace:index") + (f"?{self.query}" if self.query else "")


class SavedSearchMatch(models.Model):
    """One alert per (saved search, listing): makes the alert tasks idempotent."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="matches")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saved_search", "listing"], name="uniq_saved_search_match")]

    def __str__(self) -> str:
        return f"{self.saved_search_id} ~ {self.listing_id}"


class Conversation(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="conversations")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    buyer_read_at = models.DateTimeField(null=True, blank=True)
    seller_read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["listing", "buyer"], name="uniq_conversation")]
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return f"{self.listing} — {self.buyer}"

    def get_absolute_url(self) -> str:
        return reverse("conversations:detail", args=[self.pk])


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    scam_warning = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        # The per-member message rate limits count a sender's messages in the last minute / day.
        indexes = [models.Index(fields=["sender", "created_at"], name="message_sender_created")]

    def __str__(self) -> str:
        return self.body[:60]


class Question(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="questions")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=2000)
    answer = models.TextField(max_length=4000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"{self.listing.get_absolute_url()}#question-{self.pk}"

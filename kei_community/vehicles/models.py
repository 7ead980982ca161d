"""Kei truck catalog (chassis codes) and members' garage trucks."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse


class Drive(models.TextChoices):
    TWO = "2WD", "2WD"
    FOUR = "4WD", "4WD"
    BOTH = "both", "2WD or 4WD"


# The truck's equipment, shared by garage trucks and listings (marketplace.models.Listing uses these very
# classes as its Transmission, BedType and OdometerUnit), so "Sell this truck" copies them unchanged.
class Transmission(models.TextChoices):
    MANUAL = "manual", "Manual"
    AUTOMATIC = "automatic", "Automatic"
    CVT = "cvt", "CVT"


class BedType(models.TextChoices):
    FLAT = "flat", "Flat bed"
    DUMP = "dump", "Dump"
    SCISSOR = "scissor", "Scissor / hydraulic lift"
    JUMBO = "jumbo", "Jumbo cab"
    PANEL_VAN = "panel_van", "Panel van"
    OTHER = "other", "Other"


class OdometerUnit(models.TextChoices):
    KM = "km", "km"
    MI = "mi", "miles"


class ChassisCode(models.Model):
    """One row of the catalog, keyed on the chassis code (sources disagree on generation numbers)."""

    make = models.CharField(max_length=60, db_index=True)
    model = models.CharField(max_length=80)
    body = models.CharField(max_length=40, default="truck")
    code = models.CharField(max_length=20, unique=True)
    drive = models.CharField(max_length=4, choices=Drive.choices, default=Drive.BOTH)
    years_from = models.PositiveSmallIntegerField(null=True, blank=True)
    years_to = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty = still built.")
    engine = models.CharField(max_length=40, blank=True)
    displacement_cc = models.PositiveSmallIntegerField(null=True, blank=True)
    rebadge_of = models.CharField(max_length=80, blank=True)
    verified = models.BooleanField(default=False, help_text="Unverified rows are shown as such to members.")
    source = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["make", "model", "years_from", "code"]
        verbose_name = "chassis code"

    def __str__(self) -> str:
        return f"{self.make} {self.model} {self.code}"

    @property
    def years_label(self) -> str:
        if not self.years_from:
            return ""
        return f"{self.years_from}–{self.years_to or 'present'}"


class GarageTruck(models.Model):
    """A member's truck. Listings and forum build threads attach to it so its history follows it."""

    class RegisteredAs(models.TextChoices):
        UNKNOWN = "", "Not registered / not sure"
        REGULAR = "regular", "Regular motor vehicle"
        LSV = "lsv", "Low-speed vehicle (LSV)"
        OFFROAD = "offroad", "Off-road / OHV"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="garage_trucks")
    chassis_code = models.ForeignKey(
        ChassisCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="garage_trucks"
    )
    make = models.CharField(max_length=60)
    model = models.CharField(max_length=80, blank=True)
    frame_number = models.CharField(
        max_length=20, blank=True, db_index=True, help_text="Japanese frame number, e.g. DA63T-123456 (not a VIN)."
    )
    year_built = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1960), MaxValueValidator(2100)]
    )
    month_built = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    nickname = models.CharField(max_length=80, blank=True)
    notes = models.TextField(blank=True)
    us_market = models.BooleanField(default=False, help_text="Built for the US market (import rules don't apply).")
    registered_as = models.CharField(max_length=10, choices=RegisteredAs.choices, blank=True, default="")
    transmission = models.CharField(max_length=10, choices=Transmission.choices, blank=True, default="")
    bed_type = models.CharField(max_length=10, choices=BedType.choices, blank=True, default="")
    odometer = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(2_000_000)], help_text="The reading on the odometer."
    )
    odometer_unit = models.CharField(max_length=2, choices=OdometerUnit.choices, default=OdometerUnit.KM)
    colour = models.CharField(max_length=40, blank=True)
    photos = GenericRelation("media.Photo", content_type_field="owner_type", object_id_field="owner_id")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("vehicles:truck-detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        base = " ".join(p for p in [str(self.year_built or ""), self.make, self.model] if p)
        code = self.chassis_code.code if self.chassis_code_id and self.chassis_code else ""
        label = f"{base} {code}".strip()
        return f"“{self.nickname}” — {label}" if self.nickname else label

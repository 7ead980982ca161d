from __future__ import annotations

from typing import Any

from django import forms

from kei_community.core.forms import BootstrapFormMixin
from kei_community.vehicles.models import ChassisCode, GarageTruck
from kei_community.vehicles.services import TRUCK_FIELDS


class ChassisCodeChoiceField(forms.ModelChoiceField[ChassisCode]):
    """Chassis codes labelled "DA63T — Suzuki Carry (1999–2013)", with unverified rows marked."""

    def label_from_instance(self, obj: ChassisCode) -> str:
        return f"{obj.code} — {obj.make} {obj.model} ({obj.years_label})" + ("" if obj.verified else " (unverified)")


class GarageTruckForm(BootstrapFormMixin, forms.ModelForm):
    chassis_code = ChassisCodeChoiceField(
        queryset=ChassisCode.objects.all(), required=False, empty_label="Not in the catalog / not sure"
    )
    photo = forms.ImageField(required=False, label="Add a photo", help_text="JPEG, PNG, WebP or HEIC.")

    class Meta:
        model = GarageTruck
        fields = list(TRUCK_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "frame_number": "The Japanese frame number, e.g. DA63T-123456 — not a 17-character VIN.",
            "odometer": "What the odometer reads now; import odometers usually read in km.",
            "colour": "E.g. white, silver, red.",
        }
        labels = {
            "us_market": "Built for the US market (the import rule does not apply)",
            "odometer": "Odometer (optional)",
            "odometer_unit": "Odometer reads in",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["make"].required = False
        self.fields["make"].help_text = "Filled from the chassis code when you pick one."
        self.fields["photo"].widget = forms.ClearableFileInput(attrs={"accept": "image/*,.heic,.heif"})
        self.fields["odometer_unit"].required = False  # km unless chosen (the model's default)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if not data.get("make") and not data.get("chassis_code"):
            self.add_error("make", "Choose a chassis code or type the make.")
        return data

    def service_data(self) -> dict[str, Any]:
        return {
            k: v for k, v in self.cleaned_data.items() if k in TRUCK_FIELDS and not (k == "odometer_unit" and not v)
        }

from __future__ import annotations

from typing import Any

from django import forms

from kei_community.core.forms import BootstrapFormMixin
from kei_community.core.us import US_STATE_CHOICES
from kei_community.vehicles.models import ChassisCode, GarageTruck
from marketplace.listing_fields import (
    KEEP_AFTER_PUBLISH,
    LISTING_FIELDS,
    NUMBER_RANGES,
    chassis_year_error,
    limit_field,
)
from marketplace.models import DealerProfile, Listing, SavedSearch
from marketplace.warnings import form_seller_warnings


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,.heic,.heif"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleImageField, self).clean(item, initial) for item in items]


DEFAULTED_CHOICES = ("seller_type", "odometer_unit", "bed_type", "title_status", "location_status")


class ListingChassisCodeField(forms.ModelChoiceField[ChassisCode]):
    """Chassis codes labelled "DA63T — Suzuki Carry (1999–2013, 4WD)", with unverified rows marked."""

    def label_from_instance(self, obj: ChassisCode) -> str:
        return f"{obj.code} — {obj.make} {obj.model} ({obj.years_label}, {obj.drive})" + (
            "" if obj.verified else " (unverified)"
        )


class ListingForm(BootstrapFormMixin, forms.ModelForm):
    chassis_code = ListingChassisCodeField(
        queryset=ChassisCode.objects.all(),
        required=False,
        empty_label="Not in the catalog / not sure",
        help_text="Choosing a code fills make, model and drive. Codes marked (unverified) are not confirmed by a source.",
    )
    photos = MultipleImageField(
        required=False,
        label="Photos",
        help_text="JPEG, PNG, WebP or HEIC. The first photo is the cover; you can reorder them on the next page.",
    )

    class Meta:
        model = Listing
        fields = list(LISTING_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "condition_notes": forms.Textarea(attrs={"rows": 3}),
            "zip_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 5}),
        }
        help_texts = {
            "description": "Markdown is supported.",
            "frame_number": "The Japanese frame number, e.g. DA63T-123456 (not a 17-character VIN). Shown partly masked unless you tick the box below.",
            "odometer": "Import odometers usually read in km.",
            "zip_code": "Where the truck is; city and state are filled in from the ZIP.",
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        truck_field = self.fields["truck"]
        assert isinstance(truck_field, forms.ModelChoiceField)
        truck_field.queryset = GarageTruck.objects.filter(owner=user) if user else GarageTruck.objects.none()
        truck_field.required = False
        truck_field.label = "Truck from my garage (optional)"
        self.fields["make"].required = False
        self.fields["make"].help_text = "Filled from the chassis code; type it for trucks not in the catalog."
        self.fields["title"].required = False
        self.fields["title"].help_text = "Leave empty to use year, make and model."
        for name in NUMBER_RANGES.keys() & self.fields.keys():
            limit_field(self.fields[name], name)  # the ranges of marketplace.listing_fields, with their messages
        self.fields["price"].widget.attrs["step"] = 1
        for name in KEEP_AFTER_PUBLISH:
            self.fields[name].required = True  # the model allows them empty on drafts
        self.fields["us_market"].label = "Built for the US market (the import rule does not apply)"
        self.fields["location_status"].label = "Where it is"
        self.fields["show_full_frame_number"].label = "Show the full frame number to the public"
        for name in DEFAULTED_CHOICES:
            self.fields[name].required = False
        if self.instance.pk:
            del self.fields["photos"]
        self.warnings: list[str] = []  # shown above the form, never blocking (marketplace.warnings)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        truck = data.get("truck")
        code = data.get("chassis_code") or getattr(truck, "chassis_code", None)
        year = data.get("year_built") or getattr(truck, "year_built", None)
        if "year_built" not in self.errors and (message := chassis_year_error(code=code, year_built=year)):
            self.add_error("year_built", message)
        self.warnings = form_seller_warnings(data, self.instance)
        return data

    def service_data(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k in LISTING_FIELDS and not (k in DEFAULTED_CHOICES and v in ("", None))
        }


class PhotoUploadForm(BootstrapFormMixin, forms.Form):
    photos = MultipleImageField(label="Add photos", required=True)


class SoldForm(BootstrapFormMixin, forms.Form):
    sold_price = forms.IntegerField(
        label="Sold price (US$, optional)", required=False, help_text="Recorded anonymously for the price comps."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_field(self.fields["sold_price"], "sold_price")  # marketplace.listing_fields


class MessageForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class QuestionForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(label="Your question", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(label="Your answer", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class SavedSearchForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name", "frequency"]


class DealerProfileForm(BootstrapFormMixin, forms.ModelForm):
    state = forms.ChoiceField(choices=[("", "—"), *US_STATE_CHOICES], required=False)
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = DealerProfile
        fields = ["business_name", "city", "state", "website", "phone", "show_phone", "about"]


class ZipForm(forms.Form):
    zip = forms.CharField(max_length=10, required=False)

from __future__ import annotations

from typing import Any

from django import forms

from kei_community.core.forms import BootstrapFormMixin
from stategide.models import MAX_SPEED_MPH, Citation, Confidence, Revision, Status

TRI_STATE = [("", "Unknown"), ("true", "Yes"), ("false", "No")]


def _tri(value: Any) -> bool | None:
    return {"true": True, "false": False, True: True, False: False}.get(value)


class ProposeForm(BootstrapFormMixin, forms.Form):
    edit_summary = forms.CharField(
        max_length=300, help_text="What did you change and why? Moderators and watchers see this."
    )
    status = forms.ChoiceField(choices=Status.choices)
    summary = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), help_text="The short answer, one or two sentences."
    )
    vehicle_class = forms.CharField(max_length=120, required=False, label="Vehicle class used by the state")
    max_road_speed_mph = forms.IntegerField(
        min_value=0, max_value=MAX_SPEED_MPH, required=False, label="Maximum posted road speed allowed (mph)"
    )
    speed_note = forms.CharField(max_length=120, required=False, label="Speed note")
    vehicle_speed_cap_mph = forms.IntegerField(
        min_value=0, max_value=MAX_SPEED_MPH, required=False, label="Vehicle speed cap (mph)"
    )
    road_restrictions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    local_option = forms.TypedChoiceField(
        choices=TRI_STATE, coerce=_tri, empty_value=None, required=False, label="Local governments may opt in or out"
    )
    interstate_ban = forms.TypedChoiceField(
        choices=TRI_STATE, coerce=_tri, empty_value=None, required=False, label="Banned from interstates"
    )
    registration_steps = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One step per line."
    )
    required_documents = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One document per line."
    )
    registration_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plate_type = forms.CharField(max_length=120, required=False)
    insurance_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    inspection_notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Inspection and emissions notes"
    )
    statute_refs = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Statute references")
    law_effective_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the current or next law takes effect.",
    )
    pending_bills = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confidence = forms.ChoiceField(choices=Confidence.choices)
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Details (markdown)",
        help_text="Markdown. HTML and scripts are removed.",
    )

    @classmethod
    def initial_from(cls, revision: Revision | None) -> dict[str, Any]:
        if revision is None:
            return {}
        initial = {name: getattr(revision, name) for name in cls.base_fields if hasattr(revision, name)}
        initial["edit_summary"] = ""
        for name in ("registration_steps", "required_documents"):
            initial[name] = "\n".join(getattr(revision, name) or [])
        for name in ("local_option", "interstate_ban"):
            value = getattr(revision, name)
            initial[name] = "" if value is None else ("true" if value else "false")
        return initial

    def content(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "edit_summary"}
        for name in ("registration_steps", "required_documents"):
            data[name] = [line.strip() for line in (data.get(name) or "").splitlines() if line.strip()]
        for name in ("vehicle_class", "speed_note", "road_restrictions", "registration_notes", "plate_type",
                     "insurance_notes", "inspection_notes", "statute_refs", "pending_bills", "body"):  # fmt: skip
            data[name] = data.get(name) or ""
        return data


class CitationForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=Citation.Kind.choices, required=False)
    label = forms.CharField(max_length=300, required=False, help_text="For example: Tex. Transp. Code 551A.")
    url = forms.URLField(
        max_length=600,
        required=False,
        label="URL",
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address that starts with http:// or https://."},
    )
    retrieved_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Retrieved on")
    is_primary = forms.BooleanField(required=False, label="Primary source (statute, bill or agency page)")

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url") or ""
        raw = (self.data.get(self.add_prefix("url")) or "").strip().lower()
        if raw and not raw.startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address that starts with http:// or https://.")
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("url") and not (data.get("label") or "").strip():
            self.add_error("label", "Give the source a short label.")
        if (data.get("label") or "").strip() and not data.get("url"):
            self.add_error("url", "Give the source's URL.")
        return data

    def as_citation(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("url"):
            return None
        return {
            "kind": self.cleaned_data.get("kind") or Citation.Kind.AGGREGATOR,
            "label": self.cleaned_data["label"],
            "url": self.cleaned_data["url"],
            "retrieved_on": self.cleaned_data.get("retrieved_on"),
            "is_primary": self.cleaned_data.get("is_primary", False),
        }


CitationFormSet = forms.formset_factory(CitationForm, extra=2, max_num=10)


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Reason for the author")


class ApproveForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(max_length=2000, required=False, label="Note (optional)")


class ProtectForm(BootstrapFormMixin, forms.Form):
    days = forms.IntegerField(min_value=1, max_value=365, initial=30, label="Protect for (days)")
    reason = forms.CharField(max_length=300, label="Reason")


class VerifyForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(max_length=500, required=False, label="Verification note (optional)")


class RollbackForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=250, required=False, label="Reason (optional)")

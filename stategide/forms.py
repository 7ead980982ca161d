from __future__ import annotations

from typing import Any

from django import forms

from kei_community.core.forms import BootstrapFormMixin
from stategide.models import (
    MAX_SPEED_MPH,
    PRIMARY_CITATION_KINDS,
    Citation,
    Confidence,
    LawEvent,
    Revision,
    Status,
    Verification,
)

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
    summary_confirmed = forms.BooleanField(
        required=False,
        label="I confirm the summary still matches the new status",
        help_text="Needed only when you change the status and leave the summary as it is.",
    )
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
        initial["summary_confirmed"] = False
        for name in ("registration_steps", "required_documents"):
            initial[name] = "\n".join(getattr(revision, name) or [])
        for name in ("local_option", "interstate_ban"):
            value = getattr(revision, name)
            initial[name] = "" if value is None else ("true" if value else "false")
        return initial

    def content(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("edit_summary", "summary_confirmed")}
        for name in ("registration_steps", "required_documents"):
            data[name] = [line.strip() for line in (data.get(name) or "").splitlines() if line.strip()]
        for name in ("vehicle_class", "speed_note", "road_restrictions", "registration_notes", "plate_type",
                     "insurance_notes", "inspection_notes", "statute_refs", "pending_bills", "body"):  # fmt: skip
            data[name] = data.get(name) or ""
        return data


class CitationForm(BootstrapFormMixin, forms.Form):
    """One source as a structured row: URL, title and kind. Rows left empty are ignored."""

    url = forms.URLField(
        max_length=600,
        required=False,
        label="URL",
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address that starts with http:// or https://."},
    )
    label = forms.CharField(
        max_length=300, required=False, label="Title", help_text="For example: Tex. Transp. Code § 551A (statute text)."
    )
    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *Citation.Kind.choices], required=False)

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url") or ""
        raw = (self.data.get(self.add_prefix("url")) or "").strip().lower()
        if raw and not raw.startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address that starts with http:// or https://.")
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.cleaned_data.get("DELETE"):
            return data
        has_url, has_title = bool(data.get("url")), bool((data.get("label") or "").strip())
        if has_url and not has_title:
            self.add_error("label", "Give the source a short title.")
        if has_title and not has_url and "url" not in self.errors:
            self.add_error("url", "Give the source's URL.")
        if (has_url or has_title) and not data.get("kind"):
            self.add_error("kind", "Say what kind of source this is.")
        return data

    def as_citation(self) -> dict[str, Any] | None:
        if self.cleaned_data.get("DELETE") or not self.cleaned_data.get("url"):
            return None
        kind = self.cleaned_data.get("kind") or Citation.Kind.AGGREGATOR
        return {
            "kind": kind,
            "label": self.cleaned_data["label"].strip(),
            "url": self.cleaned_data["url"],
            "is_primary": kind in PRIMARY_CITATION_KINDS,
        }

    @staticmethod
    def initial_from(citations: Any) -> list[dict[str, Any]]:
        return [{"url": c.url, "label": c.label, "kind": c.kind} for c in citations]


class BaseCitationFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this source"

    def citations(self) -> list[dict[str, Any]]:
        """The sources as they should read after the edit (removed rows and empty rows left out)."""
        return [c for c in (form.as_citation() for form in self.forms) if c]


CitationFormSet = forms.formset_factory(
    CitationForm, formset=BaseCitationFormSet, extra=2, max_num=20, validate_max=True, can_delete=True
)


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Reason for the author")


class ApproveForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(max_length=2000, required=False, label="Note (optional)")


class ProtectForm(BootstrapFormMixin, forms.Form):
    days = forms.IntegerField(min_value=1, max_value=365, initial=30, label="Protect for (days)")
    reason = forms.CharField(max_length=300, label="Reason")


class VerifyForm(BootstrapFormMixin, forms.Form):
    checks = forms.MultipleChoiceField(
        choices=Verification.Check.choices,
        widget=forms.CheckboxSelectMultiple,
        label="What did you check?",
        error_messages={"required": "Tick what you checked: at least one item of the checklist."},
    )
    note = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What you found (note)",
        help_text="For example: which statute section or DMV page you read, and what it says.",
    )
    open_questions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Open questions (moderators only)",
        help_text="What the next moderator should check. Never shown to the public.",
    )


class RollbackForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=250, required=False, label="Reason (optional)")


class LawEventForm(BootstrapFormMixin, forms.ModelForm):
    """A dated event of a state's law timeline, with its source (moderators)."""

    citation_url = forms.URLField(
        max_length=600,
        label="Source URL",
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address that starts with http:// or https://."},
    )

    class Meta:
        model = LawEvent
        fields = ["kind", "date", "title", "description", "citation_url", "citation_title", "citation_kind"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_citation_url(self) -> str:
        url = self.cleaned_data.get("citation_url") or ""
        raw = (self.data.get(self.add_prefix("citation_url")) or "").strip().lower()
        if raw and not raw.startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address that starts with http:// or https://.")
        return url

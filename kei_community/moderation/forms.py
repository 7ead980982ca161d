from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from kei_community.core.forms import BootstrapFormMixin
from kei_community.moderation.models import Report

# The reasons a member picks from (the same set the model stores, so the API has one enum).
MEMBER_REASONS = Report.Reason.choices


class ReportForm(BootstrapFormMixin, forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=MEMBER_REASONS)
    note = forms.CharField(
        label="Note for the moderators",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what is wrong, and anything that helps a moderator check it.",
    )


class ReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("resolve", "Resolve: the report was right"), ("dismiss", "Dismiss: nothing wrong")],
    )
    note = forms.CharField(
        label="Note (sent to the reporters)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class QueueFilterForm(forms.Form):
    app = forms.CharField(required=False)
    reason = forms.ChoiceField(required=False, choices=[("", "Any reason"), *Report.Reason.choices])


SUSPENSION_DURATIONS = [
    ("1", "1 day"),
    ("3", "3 days"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("until", "Until the end date below"),
    ("indefinite", "Indefinitely (until lifted)"),
]


class ModerationActionForm(BootstrapFormMixin, forms.Form):
    """One form for every moderator verb on a piece of content or a member (the button names the verb)."""

    action = forms.CharField(max_length=40)
    reason = forms.CharField(
        label="Reason (shown to the member)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to remove, warn or suspend.",
    )
    note = forms.CharField(label="Note to the reporters (optional)", required=False, max_length=2000)
    duration = forms.ChoiceField(label="Suspend for", choices=SUSPENSION_DURATIONS, initial="7", required=False)
    until = forms.DateField(
        label="End date", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="With “until”."
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        duration = data.get("duration") or "7"
        data["ends_at"] = None
        if duration == "until":
            until = data.get("until")
            if until is None:
                self.add_error("until", "Choose the day the suspension ends.")
            else:
                data["ends_at"] = timezone.make_aware(datetime.combine(until, time.min))
        elif duration != "indefinite":
            data["ends_at"] = timezone.now() + timedelta(days=int(duration))
        return data

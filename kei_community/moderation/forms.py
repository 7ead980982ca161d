from __future__ import annotations

from django import forms

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

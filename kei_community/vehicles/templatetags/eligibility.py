"""{% load eligibility %}

{{ listing.import_eligible_on|eligible_in }}
    "in 1 year 4 months — April 2043" (or "next month — …", "now"): when a truck becomes import-eligible
    under the 25-year rule, in years and months, never days. The same words as the eligibility summaries
    and the API's `eligible_in` (kei_community.vehicles.eligibility.eligible_in_words).
"""

from __future__ import annotations

from datetime import date

from django import template

from kei_community.vehicles.eligibility import eligible_in_words

register = template.Library()


@register.filter
def eligible_in(value: date | None) -> str:
    return eligible_in_words(value) if isinstance(value, date) else ""

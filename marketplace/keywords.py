"""Keyword search over listings: what a typed `q` matches.

One entry point, `keyword_filter(qs, q)`, used by the search page, the API and the site search.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from kei_community.vehicles.models import ChassisCode
from marketplace.models import Listing

MAX_WORDS = 6


def keyword_filter(qs: QuerySet[Listing], q: str) -> QuerySet[Listing]:
    """Listings of `qs` that match every word of `q`."""
    words = [w for w in re.split(r"\s+", q) if w][:MAX_WORDS]
    # Chassis codes named by the words, looked up once: `chassis_code_id IN (...)` lets PostgreSQL
    # combine every arm of the OR from indexes (trigram indexes on the text columns, see migration 0004).
    codes: dict[str, list[int]] = {}
    for pk, code in ChassisCode.objects.filter(code__in={w.upper() for w in words}).values_list("id", "code"):
        codes.setdefault(code.upper(), []).append(pk)
    for word in words:
        found = Q(title__icontains=word) | Q(description__icontains=word) | Q(model__icontains=word)
        found |= Q(make__icontains=word)
        if word.upper() in codes:
            found |= Q(chassis_code_id__in=codes[word.upper()])
        qs = qs.filter(found)
    return qs

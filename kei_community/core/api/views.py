from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kei_community.core.registry import call_hooks
from kei_community.core.stopwords import too_common

SITE_SEARCH_LIMIT = 10

_HIT_FIELDS: dict[str, serializers.Field] = {
    "title": serializers.CharField(),
    "url": serializers.CharField(),
    "snippet": serializers.CharField(),
}
_GROUPS = inline_serializer(
    "SiteSearchGroup",
    {
        "label": serializers.CharField(),
        "noun": serializers.CharField(help_text="What one result is, singular: listing, thread, state page."),
        "results": inline_serializer("SiteSearchHit", _HIT_FIELDS, many=True),
        "count": serializers.IntegerField(help_text="How many match in all, not only the results shown."),
        "count_capped": serializers.BooleanField(help_text="True when `count` is a floor (shown as 1,000+)."),
        "more_url": serializers.CharField(help_text="The app's own search for the query (a path), or empty."),
    },
    many=True,
)


def _group(group: dict) -> dict:
    """A hook's group with every documented field (a hook that predates `count` counts its results)."""
    results = group.get("results", [])
    return {
        "label": group.get("label", ""),
        "noun": group.get("noun", "result"),
        "results": results,
        "count": group.get("count", len(results)),
        "count_capped": bool(group.get("count_capped", False)),
        "more_url": group.get("more_url", ""),
    }


class SiteSearchView(APIView):
    """One query across listings, forum threads and state pages, grouped by kind: the first 10 of each with
    its total `count` and `more_url`, the app's own search for the query."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True)],
        responses={200: inline_serializer("SiteSearch", {"query": serializers.CharField(), "groups": _GROUPS})},
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()[:200]
        if message := too_common(query):  # every app's full-text search would leave each word out
            raise ValidationError({"q": [message]})
        groups = call_hooks("site_search", query, SITE_SEARCH_LIMIT) if query else []
        return Response({"query": query, "groups": [_group(g) for g in groups]})

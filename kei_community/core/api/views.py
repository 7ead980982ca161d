from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kei_community.core.registry import call_hooks


class SiteSearchView(APIView):
    """One query across listings, forum threads and state pages, grouped by kind."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)], responses={200: dict})
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()[:200]
        groups = call_hooks("site_search", query, 10) if query else []
        return Response({"query": query, "groups": groups})

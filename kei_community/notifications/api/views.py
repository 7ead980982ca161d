from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kei_community.notifications.api.serializers import (
    MarkReadResponseSerializer,
    MarkReadSerializer,
    NotificationSerializer,
)
from kei_community.notifications.selectors import notifications_for, unread_count
from kei_community.notifications.services import notifications_mark_read


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread notifications.")])
class MyNotificationListView(generics.ListAPIView):
    """The signed-in member's notifications, newest first."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return notifications_for(self.request.user, unread=unread)


class MyNotificationsReadView(APIView):
    """Mark some ({"ids": [...]}) or all ({"all": true}) of your own notifications read."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=MarkReadSerializer, responses=MarkReadResponseSerializer)
    def post(self, request: Request) -> Response:
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        marked = notifications_mark_read(user=request.user, ids=data.get("ids"), all=data.get("all", False))
        return Response({"marked": marked, "unread": unread_count(request.user)})

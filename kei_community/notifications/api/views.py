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
    PreferenceSerializer,
    PreferencesUpdateSerializer,
)
from kei_community.notifications.selectors import notifications_for, preferences_for, unread_count
from kei_community.notifications.services import notification_preferences_set, notifications_mark_read


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


class MyNotificationPreferencesView(APIView):
    """Your email choice for every notification kind; PATCH changes some of them."""

    permission_classes = [permissions.IsAuthenticated]

    @staticmethod
    def _rows(user) -> list[dict]:  # type: ignore[no-untyped-def]
        return [{"kind": k.key, "kind_label": k.label, "delivery": d} for k, d in preferences_for(user)]

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(PreferenceSerializer(self._rows(request.user), many=True).data)

    @extend_schema(request=PreferencesUpdateSerializer, responses=PreferenceSerializer(many=True))
    def patch(self, request: Request) -> Response:
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notification_preferences_set(user=request.user, preferences=serializer.validated_data["preferences"])
        return Response(PreferenceSerializer(self._rows(request.user), many=True).data)

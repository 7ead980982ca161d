from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kei_community.core.api.throttling import ScopedRateThrottle
from kei_community.users.api.serializers import MeSerializer, TokenRequestSerializer
from kei_community.users.services import api_token_obtain, user_update_profile


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update_profile(actor=request.user, user=request.user, data=dict(serializer.validated_data))  # type: ignore[arg-type]
        return Response(MeSerializer(user).data)


class TokenView(APIView):
    """Exchange email + password (+ TOTP code when enrolled) for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = api_token_obtain(
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            code=data.validated_data.get("code", ""),
            request=request._request,
        )
        return Response({"token": key})

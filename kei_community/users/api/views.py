from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from kei_community.users.api.serializers import MeSerializer, TokenRequestSerializer
from kei_community.users.services import user_update_profile


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
        user = authenticate(
            request._request, email=data.validated_data["email"].lower(), password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("Email or password is wrong.")
        from allauth.mfa.models import Authenticator

        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None:
            code = data.validated_data.get("code", "")
            if not code:
                raise exceptions.ValidationError(
                    {"code": ["This account uses two-factor authentication; send the current code."]}
                )
            if not totp.wrap().validate_code(code):
                raise exceptions.AuthenticationFailed("The two-factor code is wrong or expired.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

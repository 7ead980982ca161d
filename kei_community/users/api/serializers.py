from rest_framework import serializers

from kei_community.core.api.mixins import PageUrlField, StrictFieldsMixin
from kei_community.users.models import User


class MeSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    page_url = PageUrlField()
    is_moderator = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "home_state",
            "zip_code",
            "bio",
            "date_joined",
            "is_moderator",
            "page_url",
        ]
        read_only_fields = ["id", "email", "date_joined"]


class PublicUserSerializer(serializers.ModelSerializer):
    page_url = PageUrlField()
    name = serializers.CharField(source="public_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "page_url"]


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(required=False, allow_blank=True, help_text="TOTP code, when the account has MFA.")

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from kei_community.core.client_ip import client_ip
from kei_community.core.redirects import is_safe_redirect


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(settings, "ACCOUNT_ALLOW_REGISTRATION", True))

    def is_safe_url(self, url: str | None) -> bool:
        # `?next=` after sign-in, sign-up, sign-out...: the project's one check for redirect targets.
        from allauth.core import context

        return is_safe_redirect(context.request, url)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (sign-in failures, sign-up, password reset) count per this address;
        # it must be the same one every other limit uses (settings.TRUSTED_PROXY_COUNT).
        return client_ip(request)

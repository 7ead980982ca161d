from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from kei_community.core.client_ip import client_ip
from kei_community.core.public_url import absolute_url, public_site, rebase
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

    # --- every link in allauth's emails is under SITE_URL (kei_community.core.public_url), whatever Host the
    # request came with and whatever the Sites framework's row says.

    def get_email_confirmation_url(self, request: HttpRequest | None, emailconfirmation: Any) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails: `current_site` is SITE_URL's, and any link allauth built from the request
        (sign-up, password reset) is moved under SITE_URL."""
        from allauth.core import context as allauth_context

        request = allauth_context.request
        request_root = request.build_absolute_uri("/") if request is not None else ""
        ctx = dict(context)
        for key, value in context.items():
            if isinstance(value, str) and request_root and value.startswith(request_root):
                ctx[key] = rebase(value)
        ctx["current_site"] = public_site()
        super().send_mail(template_prefix, email, ctx)

"""Writes to users and profiles. Every function checks who may do it."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from kei_community.core import cache_tags
from kei_community.core.exceptions import RateLimited
from kei_community.core.us import zip_lookup
from kei_community.users.models import MODERATORS_GROUP, User

PROFILE_FIELDS = ("display_name", "home_state", "zip_code", "bio")


def validate_zip(zip_code: str) -> str:
    zip_code = (zip_code or "").strip()
    if not zip_code:
        return ""
    if zip_lookup(zip_code) is None:
        raise ValidationError({"zip_code": [f"“{zip_code}” is not a known 5-digit US ZIP code."]})
    return zip_code


@transaction.atomic
def user_update_profile(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Change a member's public profile. Only the member (or staff) may."""
    if actor.pk != user.pk and not actor.is_staff:
        raise PermissionDenied("You can only edit your own profile.")
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    before = {name: getattr(user, name) for name in PROFILE_FIELDS}
    try:
        for name, value in data.items():
            setattr(user, name, value.strip() if isinstance(value, str) else value)
        user.zip_code = validate_zip(user.zip_code)
        # A ZIP implies a state; fill it in when the member has not chosen one.
        if user.zip_code and not user.home_state:
            place = zip_lookup(user.zip_code)
            if place:
                user.home_state = place["state"]
        # TextField's max_length is not a model validator; enforce it here for every caller.
        bio_limit = User._meta.get_field("bio").max_length or 2000
        if len(user.bio) > bio_limit:
            raise ValidationError({"bio": [f"Keep the bio to {bio_limit:,} characters (it has {len(user.bio):,})."]})
        user.full_clean(exclude=["password"])
    except ValidationError:
        # Leave the caller's instance as it was (the page header shows it).
        for name, value in before.items():
            setattr(user, name, value)
        raise
    user.save(update_fields=[*PROFILE_FIELDS])
    if any(before[name] != getattr(user, name) for name in PROFILE_FIELDS):
        # Every cached card, row and page that shows this member (their name) is stale: at once.
        cache_tags.invalidate(cache_tags.member(user.pk))
    return user


def system_account(*, email: str, display_name: str) -> User:
    """An account that code acts as (the reference-data loader, the contact form for visitors), created once.

    It is inactive and has no usable password, so nobody can sign in as it; a row that somehow gained either
    is put back."""
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": display_name, "is_active": False})
    if created or user.has_usable_password() or user.is_active:
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
    return user


def moderators_group() -> Group:
    """The Moderators group with its permission (created by migration 0002; recreated if missing)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    permission = Permission.objects.filter(codename="moderate", content_type__app_label="users").first()
    if permission is not None:
        group.permissions.add(permission)
    return group


def _sign_in_locked() -> RateLimited:
    """The lockout answer: allauth's `login_failed` limit is used up for this account or address."""
    from allauth.account import app_settings as account_settings
    from allauth.core.internal.ratelimit import parse_rates

    # The longest window of the limit bounds the wait (the oldest counted failure leaves it by then).
    rates = parse_rates(account_settings.RATE_LIMITS.get("login_failed"))
    wait = math.ceil(max((rate.duration for rate in rates), default=0)) or None
    when = "later"
    if wait:
        when = f"in {math.ceil(wait / 60)} minutes" if wait >= 120 else f"in {wait} seconds"
    return RateLimited(f"Too many failed sign-in attempts. Try again {when}, or reset your password.", retry_after=wait)


def api_token_obtain(*, email: str, password: str, code: str = "", request: HttpRequest) -> str:
    """The API token for email + password (+ the current TOTP code when the member enrolled).

    Refuses wrong credentials, inactive members and, when verification is mandatory, members
    whose address is not verified yet — the same rules as signing in on the site.

    It is the same door as the sign-in form, so it shares the form's failure count and lockout:
    allauth's `login_failed` rate limit (ACCOUNT_RATE_LIMITS, per account and per client address,
    kept in the shared cache). A wrong password counts, a right one takes its own attempt back, a
    used-up limit raises RateLimited (429) before the password is even checked. Wrong two-factor
    codes count against allauth's per-member MFA key, as on the site's two-factor step.
    """
    from allauth.account.adapter import get_adapter
    from allauth.account.models import EmailAddress
    from allauth.core import context
    from allauth.mfa.base.internal.flows import check_rate_limit
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from rest_framework.authtoken.models import Token

    try:
        # allauth's own check, the one its sign-in form runs: counts the attempt (per account and
        # per address), refuses once the limit is used up, takes a successful attempt back.
        user = get_adapter(request).authenticate(request, email=email.strip().lower(), password=password)
    except ValidationError as exc:
        if exc.code == "too_many_login_attempts":
            raise _sign_in_locked() from None
        raise
    if user is None or not user.is_active:
        raise PermissionDenied("Email or password is wrong.")
    if (
        settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
        and not EmailAddress.objects.filter(user=user, verified=True).exists()
    ):
        raise PermissionDenied("Verify your email address first: follow the link in the email we sent.")
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        if not code:
            raise ValidationError({"code": ["This account uses two-factor authentication; send the current code."]})
        with context.request_context(request):
            try:
                # The limit allauth's two-factor step applies (login_failed, keyed on the member).
                clear_code_failures = check_rate_limit(user)
            except ValidationError:
                raise _sign_in_locked() from None
            if not totp.wrap().validate_code(code):
                raise PermissionDenied("The two-factor code is wrong or expired.")
            clear_code_failures()
    token, _ = Token.objects.get_or_create(user=user)
    return token.key

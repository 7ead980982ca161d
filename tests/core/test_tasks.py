"""Management commands of kei_community.core (seed_demo)."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_limits(settings):
    """What production turns on: moderators need two-factor, new accounts get caps, message limits."""
    settings.MODERATION_REQUIRES_MFA = True
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.MESSAGE_RATE_PER_MINUTE = 10
    settings.MESSAGE_RATE_PER_DAY = 200
    settings.NOTIFICATIONS_EMAIL_BURST_MINUTES = 10


def test_seed_demo_succeeds_with_production_limits_on(production_limits):
    from forum.models import Thread
    from kei_community.moderation.models import AuditLogEntry
    from kei_community.users.models import User
    from marketplace.models import Conversation, Listing

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert "Demo content ready." in out.getvalue()
    assert User.objects.filter(email="moderator@demo.kei").exists()
    assert Listing.objects.count() >= 50
    assert Conversation.objects.exists()
    assert Thread.objects.count() >= 20
    welcome = Thread.objects.filter(category__slug="off-topic").order_by("id").first()
    assert welcome is not None and welcome.is_pinned
    # The pin is the system's doing, not the demo moderator's.
    pin = AuditLogEntry.objects.get(action="forum_thread_pin")
    assert pin.actor is None

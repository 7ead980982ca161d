"""Demo members and a moderator for `manage.py seed_demo`."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress

from kei_community.users.models import User
from kei_community.users.services import moderators_group, user_update_profile

DEMO_PASSWORD = "kei-demo-password"
DEMO_MEMBERS = [
    ("moderator@demo.kei", "Mina (moderator)", "OR", "97201", True),
    ("farmer@demo.kei", "Dale's Farm", "TX", "78701", False),
    ("importer@demo.kei", "Pacific Kei Imports", "WA", "98101", False),
    ("builder@demo.kei", "Rusty Carry", "NC", "27601", False),
    ("campus@demo.kei", "Campus Grounds Crew", "MI", "48104", False),
    ("newbie@demo.kei", "First-time Buyer", "GA", "30303", False),
]


def demo_user(email: str) -> User:
    return User.objects.get(email=email)


def seed_users(stdout: Any) -> None:
    moderators = moderators_group()
    created = 0
    for email, name, state, zip_code, is_moderator in DEMO_MEMBERS:
        user, was_created = User.objects.get_or_create(email=email)
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user_update_profile(
                actor=user,
                user=user,
                data={
                    "display_name": name,
                    "home_state": state,
                    "zip_code": zip_code,
                    "bio": f"Demo member from {state}.",
                },
            )
            created += 1
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
        if is_moderator:
            user.groups.add(moderators)
    stdout.write(f"Demo members: {created} created, {len(DEMO_MEMBERS)} in all (password: {DEMO_PASSWORD}).")

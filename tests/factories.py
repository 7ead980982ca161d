"""factory_boy factories for every app. Each app appends its own section below."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from kei_community.users.models import MODERATORS_GROUP, User

DEFAULT_PASSWORD = "kei-truck-password-1"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    home_state = "TX"
    zip_code = "78701"
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """An allauth EmailAddress, verified unless verified=False is passed."""
        if not create:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=extracted is not False)


class ModeratorFactory(UserFactory):
    @factory.post_generation
    def moderator_group(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.groups.add(Group.objects.get(name=MODERATORS_GROUP))


class StaffFactory(UserFactory):
    is_staff = True


# --- media ------------------------------------------------------------------

# --- notifications ----------------------------------------------------------

# --- moderation -------------------------------------------------------------

# --- vehicles ---------------------------------------------------------------

# --- stategide --------------------------------------------------------------

# --- marketplace ------------------------------------------------------------

# --- forum ------------------------------------------------------------------

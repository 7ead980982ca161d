from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from kei_community.core.us import US_STATE_CHOICES

MODERATORS_GROUP = "Moderators"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """The one user of every app: members, moderators (a Group) and staff."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=60, blank=True)
    home_state = models.CharField(max_length=2, choices=US_STATE_CHOICES, blank=True)
    zip_code = models.CharField("ZIP code", max_length=5, blank=True)
    bio = models.TextField(max_length=2000, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stubs type AbstractUser.objects as auth's UserManager; ours is the email-only variant.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["id"]
        permissions = [("moderate", "Can use moderation tools")]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or f"member{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("users:profile", kwargs={"pk": self.pk})

    @cached_property
    def is_moderator(self) -> bool:
        """Staff, or a member of the Moderators group."""
        if not self.is_active:
            return False
        if self.is_staff or self.is_superuser:
            return True
        annotated = self.__dict__.get("in_moderators_group")  # set by users.selectors.user_with_header_state()
        if annotated is not None:
            return bool(annotated)
        return self.groups.filter(name=MODERATORS_GROUP).exists()

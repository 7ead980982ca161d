"""factory_boy factories for every app. Each app appends its own section below."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from kei_community.users.models import User
from kei_community.users.services import moderators_group

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
            # Transactional tests flush the group made by the data migration; recreate it.
            self.groups.add(moderators_group())


class StaffFactory(UserFactory):
    is_staff = True


# --- media ------------------------------------------------------------------


def make_upload(data: bytes | None = None, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    """An uploaded file as Django hands it to a view (default: a small real JPEG)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    if data is None:
        from tests.media.images import jpeg_bytes

        data = jpeg_bytes()
    return SimpleUploadedFile(name, data, content_type=content_type)


def make_photo(*, owner, uploader=None, data: bytes | None = None, **kwargs):
    """A pending Photo attached to `owner` through the real service (validation included)."""
    from kei_community.media.services import photo_add

    return photo_add(uploader=uploader or owner, owner=owner, upload=make_upload(data), **kwargs)


# --- notifications ----------------------------------------------------------


class NotificationFactory(DjangoModelFactory):
    """A notification row as notification_create writes it (kind "report_resolved" is always registered)."""

    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    kind = "report_resolved"
    title = factory.Sequence(lambda n: f"Notification {n}")
    url = "/"
    actor = factory.SubFactory(UserFactory)


# --- moderation -------------------------------------------------------------


def _content_type_of(obj: object) -> object:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)  # type: ignore[arg-type]


class ReportFactory(DjangoModelFactory):
    """An open report on target (pass target=<registered object>)."""

    class Meta:
        model = "moderation.Report"
        exclude = ["target"]

    target = factory.SubFactory(UserFactory)
    reporter = factory.SubFactory(UserFactory)
    target_type = factory.LazyAttribute(lambda o: _content_type_of(o.target))
    target_id = factory.LazyAttribute(lambda o: o.target.pk)
    reason = "spam"
    note = "Looks like spam."


class AuditLogEntryFactory(DjangoModelFactory):
    class Meta:
        model = "moderation.AuditLogEntry"

    actor = factory.SubFactory(UserFactory)
    action = "report_resolved"
    target_repr = factory.Sequence(lambda n: f"Thing {n}")
    note = "checked"


# --- vehicles ---------------------------------------------------------------


class ChassisCodeFactory(DjangoModelFactory):
    class Meta:
        model = "vehicles.ChassisCode"
        django_get_or_create = ("code",)

    make = "Suzuki"
    model = "Carry"
    code = factory.Sequence(lambda n: f"DX{n}T")
    drive = "both"
    years_from = 1999
    years_to = 2013
    engine = "K6A"
    displacement_cc = 658
    verified = True


class GarageTruckFactory(DjangoModelFactory):
    class Meta:
        model = "vehicles.GarageTruck"

    owner = factory.SubFactory(UserFactory)
    chassis_code = factory.SubFactory(ChassisCodeFactory, code="DA63T")
    make = "Suzuki"
    model = "Carry"
    frame_number = factory.Sequence(lambda n: f"DA63T-{100000 + n}")
    year_built = 1998
    month_built = 6


# --- stategide --------------------------------------------------------------


def _state_name(code: str) -> str:
    from kei_community.core.us import US_STATES

    return US_STATES[code]


class StatePageFactory(DjangoModelFactory):
    """A page with a published first revision (use `page.published_revision`)."""

    class Meta:
        model = "stategide.StatePage"
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = "TX"
    name = factory.LazyAttribute(lambda o: _state_name(o.code))

    @factory.post_generation
    def published(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or self.published_revision_id:
            return
        from stategide.models import Citation, Revision

        revision = Revision.objects.create(
            page=self, number=1, state=Revision.State.PUBLISHED, edit_summary="First version",
            status=kwargs.get("status", "restricted"), summary=kwargs.get("summary", "Allowed on roads posted 35 mph or less."),
            max_road_speed_mph=kwargs.get("speed", 35), confidence="medium", road_restrictions="Roads posted 35 mph or less.",
        )  # fmt: skip
        Citation.objects.create(
            revision=revision, kind="statute", label="Statute 1", url="https://statutes.example.gov/1", is_primary=True
        )
        self.published_revision = revision
        self.save(update_fields=["published_revision"])


def citation_data(**overrides: object) -> dict:
    data = {"kind": "statute", "label": "State code 42", "url": "https://law.example.gov/42", "is_primary": True}
    data.update(overrides)
    return data


def event_data(**overrides: object) -> dict:
    """Service data for a law timeline event (a law taking effect in 30 days, with its source)."""
    from datetime import timedelta

    from django.utils import timezone

    data: dict = {
        "kind": "law_in_force",
        "date": timezone.localdate() + timedelta(days=30),
        "title": "HB 1 takes effect",
        "description": "Mini-trucks may use roads posted 45 mph or less.",
        "citation_url": "https://capitol.example.gov/hb1",
        "citation_title": "HB 1 (enrolled)",
        "citation_kind": "bill",
    }
    data.update(overrides)
    return data


# --- marketplace ------------------------------------------------------------


def listing_data(**overrides: object) -> dict:
    """Form/service data for a valid listing (model field names)."""
    data: dict = {
        "title": "1998 Suzuki Carry 4WD dump",
        "make": "Suzuki",
        "model": "Carry",
        "year_built": 1998,
        "month_built": 6,
        "odometer": 42000,
        "odometer_unit": "km",
        "transmission": "manual",
        "drive": "4WD",
        "bed_type": "dump",
        "title_status": "clean",
        "location_status": "us",
        "zip_code": "78701",
        "price": 8500,
        "description": "Runs great. **Hi-lo** and diff lock.",
    }
    data.update(overrides)
    return data


class ListingFactory(DjangoModelFactory):
    """Created through marketplace.services.listing_create (derived fields filled); published by default."""

    class Meta:
        model = "marketplace.Listing"

    seller = factory.SubFactory(UserFactory)
    publish = True

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object):  # type: ignore[override]
        from marketplace.services import listing_create

        seller = kwargs.pop("seller")
        publish = bool(kwargs.pop("publish"))
        return listing_create(seller=seller, data=listing_data(**kwargs), publish=publish)


# --- forum ------------------------------------------------------------------


def forum_category(slug: str = "maintenance"):  # type: ignore[no-untyped-def]
    """One of the categories seeded by forum's data migration (maintenance allows solved answers)."""
    from forum.models import Category

    return Category.objects.get(slug=slug)


class ForumThreadFactory(DjangoModelFactory):
    """A thread with its first post, created through forum.services (counters stay right)."""

    class Meta:
        model = "forum.Thread"

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Kei truck question number {n}")
    body = "My **Carry** idles rough when cold."
    category = factory.LazyFunction(lambda: forum_category("maintenance"))
    tags = None
    truck = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        from forum.services import thread_create

        return thread_create(**kwargs)


class ForumPostFactory(DjangoModelFactory):
    """A reply, created through forum.services."""

    class Meta:
        model = "forum.Post"

    author = factory.SubFactory(UserFactory)
    thread = factory.SubFactory(ForumThreadFactory)
    body = factory.Sequence(lambda n: f"Reply number {n}: check the idle air valve.")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        from forum.services import post_create

        return post_create(**kwargs)

"""Page-level verification moves onto the revision that was published when it was verified."""

from django.db import migrations
from django.utils import timezone

MIGRATED_NOTE = "Verified before verification was recorded per revision (moved from the page)."


def forwards(apps, schema_editor):
    StatePage = apps.get_model("stategide", "StatePage")
    Revision = apps.get_model("stategide", "Revision")
    Verification = apps.get_model("stategide", "Verification")
    pages = StatePage.objects.exclude(last_verified=None).exclude(published_revision=None)
    for page in pages.iterator():
        revision = Revision.objects.get(pk=page.published_revision_id)
        if revision.verified_on is None or revision.verified_on < page.last_verified:
            revision.verified_on = page.last_verified
            revision.verified_by_id = page.verified_by_id
            revision.save(update_fields=["verified_on", "verified_by"])
        Verification.objects.get_or_create(
            revision=revision,
            verified_on=page.last_verified,
            defaults={"verified_by_id": page.verified_by_id, "note": MIGRATED_NOTE, "checks": [],
                      "created_at": timezone.now()},
        )


def backwards(apps, schema_editor):
    StatePage = apps.get_model("stategide", "StatePage")
    Revision = apps.get_model("stategide", "Revision")
    for page in StatePage.objects.exclude(published_revision=None).iterator():
        revision = Revision.objects.get(pk=page.published_revision_id)
        page.last_verified = revision.verified_on
        page.verified_by_id = revision.verified_by_id
        page.save(update_fields=["last_verified", "verified_by"])


class Migration(migrations.Migration):
    dependencies = [("stategide", "0003_verification_belongs_to_revisions")]

    operations = [migrations.RunPython(forwards, backwards)]

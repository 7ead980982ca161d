"""Seed the forum's categories and, on PostgreSQL, the GIN index behind full-text search."""

from django.db import migrations

CATEGORIES = [
    ("Builds", "builds", "Build threads: follow a truck from import to finished project.", False),
    ("Small-business stories", "small-business", "Farms, landscapers, food trucks and shops that run on kei trucks.", False),
    ("Maintenance & repair", "maintenance", "Ask and answer how to keep a kei truck running.", True),
    ("Registration & legal", "registration", "Titles, plates, inspections and state law in practice.", True),
    ("Buying & importing", "buying", "Importers, auctions, shipping, customs and what to check before you buy.", True),
    ("Meetups & events", "meetups", "Shows, trail rides and meetups near you.", False),
    ("Off-topic", "off-topic", "Everything else, kept friendly.", False),
]  # fmt: skip


def seed(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    for position, (name, slug, description, allows_solved) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "position": position, "allows_solved": allows_solved},
        )


def gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS forum_post_search_gin ON forum_post USING gin (search_vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS forum_post_search_gin")


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(gin_index, drop_gin_index),
    ]

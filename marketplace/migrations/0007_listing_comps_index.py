"""PostgreSQL: price comps (marketplace.selectors.price_comps, on every listing page) read one chassis family's
listings of a five-year band from this index alone (index-only scan): at a million listings the family's
rows are spread over the whole table, and reading them took ~0.4 s of a listing page built afresh."""

from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS mkt_listing_comps ON marketplace_listing (chassis_code_id, year_built) "
            "INCLUDE (status, hidden, held_for_review, price, sold_price)"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS mkt_listing_comps")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0006_listing_fillfactor")]

    operations = [migrations.RunPython(create, drop)]

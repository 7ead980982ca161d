"""PostgreSQL: leave 15% of each page of marketplace_listing free, so the frequent small writes to a listing
(the batched view count, favourites, a price change) are HOT updates: the new row version stays on its page
and none of the table's ~20 indexes (search, trigram, covering) gets a new entry. At a million listings a
non-HOT view-count UPDATE wrote 28 WAL records (182 kB) and took 9-80 ms (docs/benchmarks.md). Pages
written from now on keep the space; `VACUUM FULL marketplace_listing` (or pg_repack) gives it to old ones."""

from django.db import migrations


def fillfactor(value: int):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE marketplace_listing SET (fillfactor = {value})")

    return run


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0005_listing_draft_price_zip")]

    operations = [migrations.RunPython(fillfactor(85), fillfactor(100))]

"""PostgreSQL indexes behind listing search at a million rows (docs/benchmarks.md); nothing on SQLite.

- `mkt_listing_geo_cover`: the bounding box of a ZIP + radius search on (lat, lng), carrying every column a
  search filters, sorts or counts on (INCLUDE), so the matches' ids, distances, facet counts and ranges
  come from an index-only scan: no table rows are read (marketplace.selectors._search_matches).
- Trigram GIN indexes (pg_trgm) on the upper-cased text columns a keyword is looked for in
  (`UPPER(col::text) LIKE UPPER('%word%')`, as Django writes icontains), so a keyword finds its rows
  without reading the table.
"""

from django.db import migrations

COVERED = (
    "id, status, hidden, held_for_review, seller_id, seller_type, make, model, chassis_code_id, drive, "
    "transmission, bed_type, title_status, location_status, state, year_built, price, odometer_km, "
    "published_at, us_market, import_eligible_on"
)
TRIGRAM_COLUMNS = ("title", "description", "model", "make")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS mkt_listing_geo_cover ON marketplace_listing (lat, lng) INCLUDE ({COVERED})"
    )
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS mkt_listing_{column}_trgm ON marketplace_listing "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS mkt_listing_geo_cover")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS mkt_listing_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0003_message_sender_created_index")]

    operations = [migrations.RunPython(create, drop)]

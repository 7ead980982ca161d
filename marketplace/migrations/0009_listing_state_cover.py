"""PostgreSQL: a covering index for searches by state (nothing on SQLite).

`mkt_listing_state_cover` on `state`, carrying every column a search filters, sorts or counts on (the columns
of `mkt_listing_geo_cover`, migration 0004). A search in one state (the map's links, the state guide's "for
sale in" links) reads that state's matches from the index alone, whatever the sort, instead of walking the
price or date index and reading the table for each row: `state=OR&ordering=price` at a million listings went
from 163 ms to 37 ms (docs/benchmarks.md).
"""

from importlib import import_module

from django.db import migrations

# The columns of mkt_listing_geo_cover, as migration 0004 froze them.
COVERED = import_module("marketplace.migrations.0004_search_indexes").COVERED


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS mkt_listing_state_cover ON marketplace_listing (state) INCLUDE ({COVERED})"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS mkt_listing_state_cover")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0008_listing_search_vector")]

    operations = [migrations.RunPython(create, drop)]

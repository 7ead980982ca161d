"""The keyword search's full-text vector (marketplace.keywords); on PostgreSQL only, nothing on SQLite.

- `Listing.search_vector`, computed by `marketplace_listing_tsvector(row)` (English configuration):
  make, model and chassis code (weight A), title (B), bed type, drive, transmission, colour, city,
  state name, title status and location status as their labels, and the state code unstemmed (C),
  description and condition notes (D).
- A BEFORE INSERT OR UPDATE trigger keeps it: on an update that changes none of those fields the vector
  is kept as it is (so a write of the counters or the status costs nothing, and a stale value sent back
  by a `save()` is ignored).
- `mkt_listing_search_gin`, a GIN index on it; existing rows are filled in here.

The labels are frozen here (as of this migration): a later change of a choice label needs a migration
that replaces the function and refills the column.
"""

import django.contrib.postgres.search
from django.db import migrations

BED_TYPES = {
    "flat": "Flat bed", "dump": "Dump", "scissor": "Scissor / hydraulic lift", "jumbo": "Jumbo cab",
    "panel_van": "Panel van", "other": "Other",
}  # fmt: skip
TRANSMISSIONS = {"manual": "Manual", "automatic": "Automatic", "cvt": "CVT"}
TITLE_STATUSES = {
    "clean": "Clean US title", "import_docs": "Import documents only", "bill_of_sale": "Bill of sale only",
    "offroad": "Off-road / OHV title", "antique": "Antique", "salvage": "Salvage / rebuilt",
    "revoked": "Registration revoked",
}  # fmt: skip
LOCATION_STATUSES = {"us": "In the US", "port": "At a US port", "japan": "In Japan"}
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
# The fields the vector is made of: an update that changes none of them keeps the vector.
SOURCE_FIELDS = (
    "make", "model", "chassis_code_id", "title", "bed_type", "drive", "transmission", "colour", "city", "state",
    "title_status", "location_status", "description", "condition_notes",
)  # fmt: skip


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def _label(column, labels):
    whens = " ".join(f"WHEN {_literal(value)} THEN {_literal(label)}" for value, label in labels.items())
    return f"CASE l.{column} {whens} ELSE '' END"


FUNCTION = f"""
CREATE OR REPLACE FUNCTION marketplace_listing_tsvector(l marketplace_listing) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT
    setweight(to_tsvector('english', concat_ws(' ', l.make, l.model,
      (SELECT c.code FROM vehicles_chassiscode c WHERE c.id = l.chassis_code_id))), 'A')
    || setweight(to_tsvector('english', coalesce(l.title, '')), 'B')
    || setweight(to_tsvector('english', concat_ws(' ',
         {_label("bed_type", BED_TYPES)}, l.drive, {_label("transmission", TRANSMISSIONS)}, l.colour, l.city,
         {_label("state", US_STATES)}, {_label("title_status", TITLE_STATUSES)},
         {_label("location_status", LOCATION_STATUSES)})), 'C')
    || setweight(to_tsvector('simple', coalesce(l.state, '')), 'C')
    || setweight(to_tsvector('english', concat_ws(' ', l.description, l.condition_notes)), 'D')
$$;
"""  # noqa: S608 - our constant labels, quoted by _literal
UNCHANGED = " AND ".join(f"NEW.{f} IS NOT DISTINCT FROM OLD.{f}" for f in SOURCE_FIELDS)
TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION marketplace_listing_search_vector_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND {UNCHANGED} THEN
    NEW.search_vector := OLD.search_vector;
  ELSE
    NEW.search_vector := marketplace_listing_tsvector(NEW);
  END IF;
  RETURN NEW;
END
$$;
"""
TRIGGER = (
    "CREATE TRIGGER marketplace_listing_search_vector BEFORE INSERT OR UPDATE ON marketplace_listing "
    "FOR EACH ROW EXECUTE FUNCTION marketplace_listing_search_vector_trigger()"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(TRIGGER_FUNCTION)
    schema_editor.execute("UPDATE marketplace_listing l SET search_vector = marketplace_listing_tsvector(l)")
    schema_editor.execute("DROP TRIGGER IF EXISTS marketplace_listing_search_vector ON marketplace_listing")
    schema_editor.execute(TRIGGER)  # after the fill: the trigger keeps the vector of an unchanged row
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS mkt_listing_search_gin ON marketplace_listing USING gin (search_vector)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS mkt_listing_search_gin")
    schema_editor.execute("DROP TRIGGER IF EXISTS marketplace_listing_search_vector ON marketplace_listing")
    schema_editor.execute("DROP FUNCTION IF EXISTS marketplace_listing_search_vector_trigger()")
    schema_editor.execute("DROP FUNCTION IF EXISTS marketplace_listing_tsvector(marketplace_listing)")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0007_listing_comps_index"), ("vehicles", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create, drop),
    ]

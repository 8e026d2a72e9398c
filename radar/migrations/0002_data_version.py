"""The data version: a sequence moved by a statement-level trigger on every write to the
initiatives or the territories (ORM, bulk import, COPY or raw SQL alike). Reading it is one
row, whatever the size of the tables: cached results and versioned URLs key on it."""

from django.db import migrations

TABLES = ("initiatives_initiative", "territories_territory")

FORWARD = [
    "CREATE SEQUENCE IF NOT EXISTS radar_data_version",
    """CREATE OR REPLACE FUNCTION radar_bump_data_version() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
           PERFORM nextval('radar_data_version');
           RETURN NULL;
       END $$""",
    *(
        f"""CREATE TRIGGER radar_data_version_{table}
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION radar_bump_data_version()"""
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS radar_data_version_{table} ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS radar_bump_data_version()",
    "DROP SEQUENCE IF EXISTS radar_data_version",
]


class Migration(migrations.Migration):
    dependencies = [
        ("radar", "0001_initial"),
        ("initiatives", "0003_moderators_group"),
        ("territories", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

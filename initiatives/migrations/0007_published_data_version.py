from django.db import migrations

# The "initiatives" data version rises when a statement inserts, updates or deletes a row that
# is, or was, published (pending submissions and private changes to unpublished rows leave the
# tiles' URLs alone). Statement-level triggers with transition tables: once per statement.
FORWARD = """
CREATE OR REPLACE FUNCTION radar_initiatives_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM radar_bump_data_version('initiatives');
  ELSIF TG_OP = 'INSERT' THEN
    IF EXISTS (SELECT 1 FROM new_rows WHERE publication_status = 'published') THEN
      PERFORM radar_bump_data_version('initiatives');
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    IF EXISTS (SELECT 1 FROM new_rows WHERE publication_status = 'published')
       OR EXISTS (SELECT 1 FROM old_rows WHERE publication_status = 'published') THEN
      PERFORM radar_bump_data_version('initiatives');
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM old_rows WHERE publication_status = 'published') THEN
      PERFORM radar_bump_data_version('initiatives');
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER initiatives_data_version_insert AFTER INSERT ON initiatives_initiative
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION radar_initiatives_changed();

CREATE TRIGGER initiatives_data_version_update AFTER UPDATE ON initiatives_initiative
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION radar_initiatives_changed();

CREATE TRIGGER initiatives_data_version_delete AFTER DELETE ON initiatives_initiative
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION radar_initiatives_changed();

CREATE TRIGGER initiatives_data_version_truncate AFTER TRUNCATE ON initiatives_initiative
FOR EACH STATEMENT EXECUTE FUNCTION radar_initiatives_changed();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS initiatives_data_version_insert ON initiatives_initiative;
DROP TRIGGER IF EXISTS initiatives_data_version_update ON initiatives_initiative;
DROP TRIGGER IF EXISTS initiatives_data_version_delete ON initiatives_initiative;
DROP TRIGGER IF EXISTS initiatives_data_version_truncate ON initiatives_initiative;
DROP FUNCTION IF EXISTS radar_initiatives_changed();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0006_outgoing_email"),
        ("territories", "0003_data_version"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

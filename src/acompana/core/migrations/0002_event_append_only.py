"""The event table is append-only for the application's database user.

A row trigger refuses UPDATE and DELETE whoever the user is (the table owner included), so
audit rows cannot be altered or removed through the application. TRUNCATE is left to the
database owner's maintenance (and the test runner's flush).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_event es de solo inserción: los registros de auditoría no se modifican ni se borran'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_event_no_update_delete
    BEFORE UPDATE OR DELETE ON core_event
    FOR EACH ROW EXECUTE FUNCTION core_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_event_no_update_delete ON core_event;
DROP FUNCTION IF EXISTS core_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

"""First step of DIVIPOLA's move to the ``geo`` app: its tables take geo's names.

Renaming here (not in ``geo``) keeps every migration's view of the table name right,
whatever order the apps' migrations run in on a new database. ``geo.0001`` then takes the
models into its state and ``registry.0005`` drops them from registry's. No row changes.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_stakeholders_people_consents")]

    operations = [
        migrations.AlterModelTable(name="department", table="geo_department"),
        migrations.AlterModelTable(name="municipality", table="geo_municipality"),
    ]

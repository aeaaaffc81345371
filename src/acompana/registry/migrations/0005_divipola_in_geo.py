"""DIVIPOLA now lives in ``geo`` (``0004`` renamed the tables): stakeholders point
there, and the models leave registry's state. No row changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_divipola_tables_for_geo"),
        ("geo", "0001_initial"),
        ("core", "0004_divipola_in_geo"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="stakeholder",
                    name="department",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.department", verbose_name="department"),
                ),
                migrations.AlterField(
                    model_name="stakeholder",
                    name="municipality",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.municipality", verbose_name="municipality"),
                ),
                migrations.DeleteModel(name="Municipality"),
                migrations.DeleteModel(name="Department"),
            ]
        )
    ]

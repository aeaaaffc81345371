"""Needs and plan lines point at DIVIPOLA in ``geo`` (state only: same tables)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial"), ("geo", "0001_initial")]
    # registry drops the models from its state once nothing points at them any more
    run_before = [("registry", "0005_divipola_in_geo")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="need",
                    name="requester_municipality",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.municipality", verbose_name="requester municipality"),
                ),
                migrations.AlterField(
                    model_name="planline",
                    name="municipality",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.municipality"),
                ),
            ]
        )
    ]

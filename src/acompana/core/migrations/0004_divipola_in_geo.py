"""The organization's seat points at DIVIPOLA in ``geo`` (state only: same tables)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0003_document"), ("geo", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="organization",
                    name="department",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.department", verbose_name="department"),
                ),
                migrations.AlterField(
                    model_name="organization",
                    name="municipality",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.municipality", verbose_name="municipality"),
                ),
            ]
        )
    ]

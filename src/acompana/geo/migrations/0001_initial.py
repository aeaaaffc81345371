"""DIVIPOLA moves from ``registry`` to this base app, keeping the rows (and their ids).

The tables were created by ``registry.0001``, filled by ``registry.0002`` and renamed to
this app's names by ``registry.0004``; here the models enter this app's state (no database
change). The foreign keys of core, registry and planning follow in their own migrations,
and ``registry.0005`` removes the models from registry's state.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("registry", "0004_divipola_tables_for_geo")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Department",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.CharField(max_length=2, unique=True, verbose_name="DANE code")),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                    ],
                    options={
                        "verbose_name": "department",
                        "verbose_name_plural": "departments",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Municipality",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.CharField(max_length=5, unique=True, verbose_name="DANE code")),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        ("kind", models.CharField(blank=True, max_length=60, verbose_name="kind")),
                        ("latitude", models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True)),
                        ("longitude", models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True)),
                        ("department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="municipalities", to="geo.department")),
                    ],
                    options={
                        "verbose_name": "municipality",
                        "verbose_name_plural": "municipalities",
                        "ordering": ["department__name", "name"],
                    },
                ),
            ],
        ),
    ]

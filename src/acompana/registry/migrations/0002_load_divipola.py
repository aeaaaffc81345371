from django.db import migrations


def forward(apps, schema_editor):
    from acompana.geo.divipola import load_divipola

    load_divipola(
        department_model=apps.get_model("registry", "Department"),
        municipality_model=apps.get_model("registry", "Municipality"),
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

from django.core.management import call_command
from django.core.management.base import BaseCommand

from acompana.core.plugins import apps_with


class Command(BaseCommand):
    help = (
        "Carga los datos de referencia: DIVIPOLA y los de cada aplicación (valores del "
        "catálogo, ...). Idempotente."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        call_command("load_divipola", stdout=self.stdout)
        for app in apps_with("reference_seeds"):
            seeds = app.hook("reference_seeds")
            assert seeds is not None
            seeds()

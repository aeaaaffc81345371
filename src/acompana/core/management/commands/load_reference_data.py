import importlib

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Carga los datos de referencia: DIVIPOLA y los valores del catálogo (idempotente)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        call_command("load_divipola", stdout=self.stdout)
        try:
            seeds = importlib.import_module("acompana.catalog.seeds")
        except ModuleNotFoundError:
            return
        seeds.load_reference_values()

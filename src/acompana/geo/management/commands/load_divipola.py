from pathlib import Path

from django.core.management.base import BaseCommand

from acompana.geo.divipola import DIVIPOLA_CSV, load_divipola


class Command(BaseCommand):
    help = "Carga o actualiza departamentos y municipios desde el archivo DIVIPOLA (idempotente)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--file", type=Path, default=DIVIPOLA_CSV)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = load_divipola(options["file"])
        self.stdout.write(
            f"DIVIPOLA: {result.departments_created} departamentos nuevos, "
            f"{result.departments_updated} actualizados; {result.municipalities_created} "
            f"municipios nuevos, {result.municipalities_updated} actualizados."
        )

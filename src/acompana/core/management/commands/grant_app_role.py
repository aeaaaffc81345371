from django.core.management.base import BaseCommand
from django.db import connection

from acompana.core.dbroles import grant_application_role


class Command(BaseCommand):
    help = (
        "Crea o actualiza el rol de base de datos con el que corre la aplicación: lee y escribe "
        "todas las tablas, pero en la auditoría (core_event) solo inserta y consulta. Ejecútelo "
        "como propietario de las tablas después de cada migrate."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("role")
        parser.add_argument("--password", default=None)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        grant_application_role(connection, options["role"], options["password"])
        self.stdout.write(f"Rol {options['role']}: permisos de la aplicación aplicados.")

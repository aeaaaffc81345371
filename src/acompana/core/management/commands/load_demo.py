from django.core.management.base import BaseCommand

from acompana.core.demo import load_demo


class Command(BaseCommand):
    help = "Carga las cuatro entidades de demostración (idempotente)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        organizations = load_demo()
        self.stdout.write(f"Demostración lista: {len(organizations)} entidades.")

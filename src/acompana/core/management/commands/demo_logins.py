from django.core.management.base import BaseCommand
from django.utils import translation

from acompana.core.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Muestra los usuarios de demostración."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        translation.activate("es-co")
        self.stdout.write(f"Usuarios de demostración (contraseña para todos: {DEMO_PASSWORD}):")
        current = None
        for organization, role, email in demo_logins():
            if organization != current:
                self.stdout.write(f"  {organization}")
                current = organization
            self.stdout.write(f"    {role:<45} {email}")

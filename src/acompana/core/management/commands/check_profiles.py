"""Validate procedure profile files: the shipped ones, or the paths given.

    manage.py check_profiles                 # data/SAL.yaml, FP.yaml, EDU.yaml, DNP.yaml
    manage.py check_profiles otro/perfil.yaml
    manage.py check_profiles --organizations # also every organization's adjustments

Exits with an error (status 1) naming the file, the step and the problem when one fails.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from acompana.core.procedures.profiles import ProfileError, check_profile_files, shipped_profile


class Command(BaseCommand):
    help = "Valida los perfiles de procedimiento (archivos YAML) entregados con el producto."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="Archivos de perfil a validar.")
        parser.add_argument(
            "--organizations",
            action="store_true",
            help="Valida también los ajustes de procedimiento de cada entidad.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failures: list[str] = []
        for path, profile, error in check_profile_files(options["paths"] or None):
            if error is not None:
                failures.append(str(error))
                self.stderr.write(self.style.ERROR(f"✗ {error}"))
            else:
                assert profile is not None
                self.stdout.write(
                    self.style.SUCCESS(
                        f"✓ {path.name}: {profile.code} {profile.version}, "
                        f"{len(profile.steps)} pasos, {len(profile.formats)} formatos"
                    )
                )
        if options["organizations"]:
            failures.extend(self._check_organizations())
        if failures:
            raise CommandError(f"{len(failures)} perfil(es) con errores.")

    def _check_organizations(self) -> list[str]:
        from acompana.core.models import Organization
        from acompana.core.procedures.services import procedure_overrides_clean

        failures = []
        for organization in Organization.objects.order_by("name"):
            try:
                base = shipped_profile(organization.procedure_code)
                procedure_overrides_clean(
                    base=base, overrides=organization.procedure_overrides or {}
                )
            except (ProfileError, ValidationError) as exc:
                message = f"{organization.name}: {'; '.join(_messages(exc))}"
                failures.append(message)
                self.stderr.write(self.style.ERROR(f"✗ {message}"))
            else:
                self.stdout.write(f"✓ {organization.name}: ajustes válidos")
        return failures


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]

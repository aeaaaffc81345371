"""Colombian identifiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from acompana.core.tabular import strip_accents


def normalize_search(value: str) -> str:
    """Lower-case text without accents and with single spaces: what search columns store."""
    return " ".join(strip_accents(value).split())


def only_digits(value: str) -> str:
    """Remove the spaces, dots and hyphens people type inside numbers."""
    return re.sub(r"[\s.\-]", "", value or "")


NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)


def nit_check_digit(number: str) -> int:
    """DIAN check digit (dígito de verificación) of a NIT body."""
    total = sum(int(d) * w for d, w in zip(reversed(number), NIT_WEIGHTS, strict=False))
    remainder = total % 11
    return remainder if remainder in (0, 1) else 11 - remainder


def validate_nit(value: str) -> None:
    """A NIT written as ``digits-DV`` with a correct DIAN check digit."""
    match = re.fullmatch(r"(\d{6,15})-(\d)", value or "")
    if not match:
        raise ValidationError(
            _("Write the NIT as digits, a hyphen and the check digit, e.g. 800197268-4."),
            code="nit_format",
        )
    body, dv = match.groups()
    if nit_check_digit(body) != int(dv):
        raise ValidationError(
            _("The check digit of NIT %(nit)s is not correct.") % {"nit": value},
            code="nit_check_digit",
        )


def nit_with_check_digit(body: str) -> str:
    return f"{body}-{nit_check_digit(body)}"

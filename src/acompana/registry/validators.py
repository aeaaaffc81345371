"""Format rules of the registry's identifiers (no database access here).

Codes that must exist in DIVIPOLA or be unique are checked by ``services`` on top of these.

* **NIT**: ``digits-DV`` with the DIAN check digit (``acompana.core.validators.validate_nit``).
* **DANE code of a municipality**: 5 digits (DIVIPOLA); of a department: 2 digits.
* **DANE code of a school (establecimiento educativo) or site (sede)**: 12 digits; digit 1 is
  the zone/sector and digits 2–6 are the DIVIPOLA code of the school's municipality
  (e.g. ``141001000123`` is in Neiva, 41001). The principal site shares its school's code.
* **REPS code (código de habilitación)**: 10 digits (5 of the DIVIPOLA municipality where
  the provider was enabled and a 5-digit consecutive) or 12 digits when it names a site
  (the 10 digits plus a 2-digit site number). 11 digits are accepted too because some
  exports drop one leading zero of the site number. EPS have no REPS code.
* **Person documents**: see ``DOCUMENT_PATTERNS``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from acompana.registry.choices import DocumentType

_DIGITS = re.compile(r"\d+")


def normalize_nit(value: str) -> str:
    """``800.197.268-4`` and ``800197268 - 4`` become ``800197268-4``."""
    value = re.sub(r"[\s.]", "", value or "")
    return value


def validate_municipality_code_format(value: str) -> None:
    if not re.fullmatch(r"\d{5}", value or ""):
        raise ValidationError(
            _("The DANE code of a municipality has 5 digits, e.g. 41298."),
            code="dane_municipality_format",
        )


def validate_department_code_format(value: str) -> None:
    if not re.fullmatch(r"\d{2}", value or ""):
        raise ValidationError(
            _("The DANE code of a department has 2 digits, e.g. 41."),
            code="dane_department_format",
        )


def validate_school_code_format(value: str) -> None:
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(
            _("The DANE code of a school or school site has 12 digits, e.g. 141298000123."),
            code="dane_school_format",
        )


def school_code_municipality(value: str) -> str:
    """The DIVIPOLA municipality code embedded in a school's DANE code (digits 2 to 6)."""
    return value[1:6]


def validate_reps_code_format(value: str) -> None:
    if not re.fullmatch(r"\d{10,12}", value or ""):
        raise ValidationError(
            _("The REPS code (código de habilitación) has 10 to 12 digits, e.g. 4129800123."),
            code="reps_format",
        )


def reps_code_municipality(value: str) -> str:
    return value[:5]


#: document type → (regular expression, message). Rules, and why:
#: CC 3–10 digits (old cards have few digits, current ones 10); TI and RC 10–11 digits (the
#: NUIP of 10 digits, 11 in older serials); CE 3–7 digits (Migración Colombia numbering);
#: PA 5–15 letters and digits (ICAO passports of any country); PPT 5–10 digits; PEP 15 digits.
DOCUMENT_PATTERNS: dict[str, str] = {
    DocumentType.CC: r"\d{3,10}",
    DocumentType.TI: r"\d{10,11}",
    DocumentType.RC: r"\d{10,11}",
    DocumentType.CE: r"\d{3,7}",
    DocumentType.PA: r"[A-Z0-9]{5,15}",
    DocumentType.PPT: r"\d{5,10}",
    DocumentType.PEP: r"\d{15}",
}


def _document_message(document_type: str) -> str:
    # The messages are spelled out so makemessages finds each of them.
    messages = {
        DocumentType.CC: _("A citizenship card number has 3 to 10 digits."),
        DocumentType.TI: _("An identity card number has 10 or 11 digits."),
        DocumentType.RC: _("A civil registration number (NUIP) has 10 or 11 digits."),
        DocumentType.CE: _("A foreigner ID card number has 3 to 7 digits."),
        DocumentType.PA: _("A passport number has 5 to 15 letters or digits."),
        DocumentType.PPT: _("A temporary protection permit number has 5 to 10 digits."),
        DocumentType.PEP: _("A special stay permit (PEP) number has 15 digits."),
    }
    return str(messages[DocumentType(document_type)])


def normalize_document_number(document_type: str, number: str) -> str:
    """Drop separators; passports are upper-case letters and digits."""
    cleaned = re.sub(r"[\s.\-]", "", number or "")
    if document_type == DocumentType.PA:
        return cleaned.upper()
    return cleaned


def validate_document(document_type: str, number: str) -> None:
    """Raise ``ValidationError`` (dict) when the number does not fit its document type."""
    if document_type not in DOCUMENT_PATTERNS:
        raise ValidationError({"document_type": _("Unknown document type.")}, code="document_type")
    if not re.fullmatch(DOCUMENT_PATTERNS[document_type], number or ""):
        raise ValidationError(
            {"document_number": _document_message(document_type)}, code="document_number"
        )

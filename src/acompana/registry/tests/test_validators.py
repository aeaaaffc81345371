import pytest
from django.core.exceptions import ValidationError

from acompana.core.exports import escape_cell
from acompana.core.validators import normalize_search
from acompana.registry.imports import header_key, kind_from_text
from acompana.registry.validators import (
    normalize_document_number,
    validate_document,
    validate_reps_code_format,
    validate_school_code_format,
)


@pytest.mark.parametrize(
    ("document_type", "number"),
    [
        ("CC", "123"),
        ("CC", "1075214301"),
        ("TI", "1075214301"),
        ("TI", "99012312345"),
        ("RC", "1075214301"),
        ("CE", "527841"),
        ("CE", "1234567"),
        ("PA", "AB123456"),
        ("PPT", "1234567"),
        ("PEP", "123456789012345"),
    ],
)
def test_valid_documents(document_type, number):
    """A valid number is accepted as stored, and as people type it (separators, case)."""
    assert normalize_document_number(document_type, number) == number
    assert validate_document(document_type, number) is None  # raises ValidationError if not
    typed = f" {number[:2]}.{number[2:]} ".lower()
    assert normalize_document_number(document_type, typed) == number


@pytest.mark.parametrize(
    ("document_type", "number"),
    [
        ("CC", "12"),
        ("CC", "12345678901"),
        ("CC", "12A45"),
        ("TI", "123456789"),
        ("RC", "123"),
        ("CE", "12345678"),
        ("PA", "AB1"),
        ("PA", "AB-12345"),
        ("PPT", "1234"),
        ("PEP", "12345"),
        ("XX", "12345"),
    ],
)
def test_invalid_documents(document_type, number):
    with pytest.raises(ValidationError) as info:
        validate_document(document_type, number)
    assert set(info.value.message_dict) <= {"document_number", "document_type"}


def test_document_normalization():
    assert normalize_document_number("CC", "1.075.214.301") == "1075214301"
    assert normalize_document_number("PA", "ab 123-456") == "AB123456"


def test_school_and_reps_formats():
    validate_school_code_format("141298000123")
    validate_reps_code_format("4129800123")
    validate_reps_code_format("412980012301")
    for bad in ("14129800012", "1412980001234", "14129800012A"):
        with pytest.raises(ValidationError):
            validate_school_code_format(bad)
    for bad in ("412980012", "4129800123456", "41298A0123"):
        with pytest.raises(ValidationError):
            validate_reps_code_format(bad)


def test_accent_insensitive_search_text():
    assert normalize_search("  Alcaldía de  GARZÓN ") == "alcaldia de garzon"


def test_header_and_kind_matching():
    assert header_key("Código DANE establecimiento") == "codigo_dane_establecimiento"
    assert kind_from_text("Alcaldía") == ("municipality", "")
    assert kind_from_text("ESE") == ("health_actor", "ese")
    assert kind_from_text("school_site") == ("school_site", "")
    assert kind_from_text("planeta") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+57 300", "'+57 300"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("normal", "normal"),
        (5, 5),
        (None, ""),
    ],
)
def test_formula_cells_are_escaped(value, expected):
    assert escape_cell(value) == expected


def test_api_filter_schemas_match_the_filter_forms():
    """The API documents the same query parameters the one filter definition accepts."""
    from acompana.registry.filters import (
        PersonFilterForm,
        PersonFilterQuery,
        StakeholderFilterForm,
        StakeholderFilterQuery,
    )

    assert set(StakeholderFilterQuery.model_fields) == set(StakeholderFilterForm.base_fields)
    assert set(PersonFilterQuery.model_fields) == set(PersonFilterForm.base_fields)

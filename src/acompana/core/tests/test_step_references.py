"""Help texts cite only the reader's own organization's steps (DESIGN section 9).

An education secretariat must not read "FP-2" or "SAL-1" on its pages: step ids shown to
users come from the organization's profile (``{% step_ids %}`` / ``{% step_ref %}``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from acompana.core.choices import ProcedureCode
from acompana.core.tests.factories import OrganizationFactory

SRC = Path(__file__).resolve().parents[2]
STEP_ID = re.compile(r"\b(?:SAL|FP|EDU|DNP)-\d")
#: a literal the user reads: a translated template string or a form's label/help text
TEMPLATE_TEXT = re.compile(
    r"{%\s*translate\s+\"([^\"]*)\"|{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate",
    re.S,
)
FORM_TEXT = re.compile(r"(?:help_text|label)=_\(\s*((?:\"[^\"]*\"\s*)+)\)", re.S)


def _templates() -> list[Path]:
    return sorted(p for p in SRC.glob("*/templates/**/*.html") if "/pdf" not in str(p))


def test_templates_cite_no_fixed_step_id():
    """Step ids in page texts come from the profile, never from a literal."""
    found = [
        f"{path.relative_to(SRC)}: {text[:80]}"
        for path in _templates()
        for match in TEMPLATE_TEXT.finditer(path.read_text())
        if STEP_ID.search(text := match.group(1) or match.group(2) or "")
    ]
    assert found == []


def test_forms_cite_no_fixed_step_id():
    found = [
        f"{path.relative_to(SRC)}: {match.group(1)[:80]}"
        for path in sorted(SRC.glob("*/**/forms.py"))
        for match in FORM_TEXT.finditer(path.read_text())
        if STEP_ID.search(match.group(1))
    ]
    assert found == []


def _render(source: str, organization) -> str:
    request = RequestFactory().get("/")
    request.organization = organization
    return Template("{% load acompana %}" + source).render(Context({"request": request}))


@pytest.mark.django_db
def test_step_ref_names_the_organizations_own_steps():
    """The same page cites FP-2 for a Función Pública profile and nothing for education."""
    source = '{% step_ref "strategy.proposed" %}|{% step_ids "prioritisation.saved" %}'
    fp = _render(source, OrganizationFactory(procedure_code=ProcedureCode.FP))
    edu = _render(source, OrganizationFactory(procedure_code=ProcedureCode.EDU))
    assert fp.startswith(" (FP-2)|FP-")
    assert not STEP_ID.search(edu.replace("EDU-", ""))
    assert edu.startswith("|")
    assert _render(source, None) == "|"

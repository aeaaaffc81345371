"""Year pickers offer the year being planned first (issue 11, section 7).

Planning happens the year before: in December 2026 a unit opens its 2027 plan. A picker
that defaults to the current year makes people plan the year that is ending.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from acompana.core.models import FiscalYear
from acompana.core.selectors import year_being_planned

pytestmark = pytest.mark.django_db


def _add_year(org, year: int, *, current: bool = False) -> FiscalYear:
    return FiscalYear.objects.create(
        organization=org,
        year=year,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
        is_current=current,
    )


def _selected_year(html: str, years: list[FiscalYear]) -> int | None:
    for year in years:
        if f'<option value="{year.pk}" selected>' in html:
            return year.year
    return None


def test_year_being_planned_is_the_next_registered_year(world):
    current = FiscalYear.objects.get(organization=world.org, is_current=True)
    assert year_being_planned(FiscalYear.objects.filter(organization=world.org)) == current
    following = _add_year(world.org, current.year + 1)
    _add_year(world.org, current.year - 1)
    assert year_being_planned(FiscalYear.objects.filter(organization=world.org)) == following
    assert year_being_planned([]) is None


@pytest.mark.parametrize(
    ("url_name", "persona"),
    [
        ("planning:plan_create", "unit_head"),
        ("planning:consolidated_create", "planner"),
    ],
)
def test_plan_pickers_default_to_the_year_being_planned(world, client_for, url_name, persona):
    current = FiscalYear.objects.get(organization=world.org, is_current=True)
    following = _add_year(world.org, current.year + 1)
    response = client_for(getattr(world, persona)).get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert _selected_year(html, [current, following]) == following.year


def test_plan_picker_falls_back_to_the_current_year(world, client_for):
    current = FiscalYear.objects.get(organization=world.org, is_current=True)
    _add_year(world.org, current.year - 1)
    html = client_for(world.unit_head).get(reverse("planning:plan_create")).content.decode()
    assert _selected_year(html, list(FiscalYear.objects.filter(organization=world.org))) == (
        current.year
    )


def test_strategy_picker_defaults_to_the_year_being_planned():
    from acompana.core.tests.factories import OrganizationFactory
    from acompana.planning.strategy.forms import StrategyOpenForm

    org = OrganizationFactory()
    current = _add_year(org, 2026, current=True)
    following = _add_year(org, 2027)
    form = StrategyOpenForm(years=FiscalYear.objects.filter(organization=org).order_by("-year"))
    assert form["fiscal_year"].initial == following.pk
    assert current.pk != following.pk

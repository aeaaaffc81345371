"""Browser path of the prioritisation (FP-1), issue 11 §3: a planner of Función Pública
creates a model choosing z-score, sees the rule stated on the ranking (population standard
deviation, the tie rule, the missing-value rule with its count), sees equal scores ranked
by DANE code and exports the ranking with the identifiers and the rules.

Texts are looked up through gettext in Spanish, so the test holds whichever state the
catalogue is in; the choices are chosen by value.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def fp_world(transactional_db):
    from acompana.core.choices import ProcedureCode
    from acompana.core.tests.factories import build_world

    return build_world(ProcedureCode.FP)


def test_choose_zscore_see_the_rule_and_export(fp_world, page, login):
    from acompana.planning.models import IndicatorValue, PrioritisationModel
    from acompana.planning.prioritisation import selectors
    from acompana.planning.tests.factories import IndicatorFactory
    from acompana.planning.tests.factories import fiscal_year as year_of
    from acompana.registry.tests.factories import StakeholderFactory, municipality

    world = fp_world
    year = year_of(world.org)
    # three alcaldías; Neiva (41001) and Medellín (05001) will tie, Garzón has no value
    neiva = StakeholderFactory(
        organization=world.org, name="Alcaldía de Neiva", municipality=municipality("41001")
    )
    medellin = StakeholderFactory(
        organization=world.org, name="Alcaldía de Medellín", municipality=municipality("05001")
    )
    garzon = StakeholderFactory(
        organization=world.org, name="Alcaldía de Garzón", municipality=municipality("41298")
    )
    indicator = IndicatorFactory(organization=world.org, code="IDI", scale="percent")
    for s in (neiva, medellin):
        IndicatorValue.objects.create(
            organization=world.org, indicator=indicator, stakeholder=s, year=2025, value=Decimal(60)
        )

    login(world.planner)
    page.goto(page.base_url + "/planificacion/priorizacion/modelos/nuevo/")
    page.locator("input[name=name]").fill("Escenario z")
    page.locator("select[name=fiscal_year]").select_option(str(year.pk))
    page.locator("select[name=normalisation]").select_option("zscore")
    page.locator("select[name=missing_rule]").select_option("exclude")
    # the form proposes requests and court actions; the first becomes the indicator
    page.locator("select[name='criteria-0-kind']").select_option("indicator")
    page.locator("select[name='criteria-0-indicator']").select_option(str(indicator.pk))
    page.locator("input[name='criteria-0-indicator_year']").fill("2025")
    page.locator("input[name='criteria-0-weight']").fill("2")
    with translation.override("es"):
        save = _("Save")
    page.get_by_role("button", name=save, exact=True).click()
    page.wait_for_url("**/planificacion/priorizacion/modelos/*/")

    model = PrioritisationModel.objects.get(name="Escenario z")
    assert (model.normalisation, model.missing_rule) == ("zscore", "exclude")
    ranking = selectors.ranking_compute(model=model)
    with translation.override("es"):
        statements = selectors.model_rules(model, excluded_count=1).statements()
        zscore_label = _("Z-score (population standard deviation)")
        normalisation_header, rule = _("Normalisation"), _("Rule")
    # the rule is stated on the page: z-score with the population deviation, the tie rule,
    # the missing values with the count left out (Garzón has no value)
    rules = page.locator("#rule-statements")
    expect(rules).to_contain_text(statements[0])
    expect(rules).to_contain_text(statements[2])
    expect(rules).to_contain_text(statements[3])
    expect(page.locator("[data-rule=normalisation]").first).to_have_text(zscore_label)
    expect(page.locator("#excluded-count")).to_be_visible()
    # equal scores: Medellín (DANE 05001) before Neiva (41001), whatever the alphabet says
    table = page.locator("table.ranking-table tbody tr")
    expect(table).to_have_count(2)
    expect(table.nth(0)).to_contain_text("Alcaldía de Medellín")
    expect(table.nth(0)).to_contain_text("05001")
    expect(table.nth(1)).to_contain_text("Alcaldía de Neiva")
    assert [r.stakeholder.id for r in ranking.rows] == [medellin.pk, neiva.pk]
    assert [s.id for s in ranking.excluded] == [garzon.pk]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    content = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    header = rows[0]
    assert "NIT" in header and header[-3] == normalisation_header
    assert rows[1][0] == "1" and rows[1][2] == "Alcaldía de Medellín"
    assert rows[1][3] == "05001" and rows[1][4] == medellin.nit
    assert rows[2][0] == "2" and rows[2][3] == "41001"
    assert rows[1][-3] == zscore_label
    assert [r[1] for r in rows if r and r[0] == rule] == statements

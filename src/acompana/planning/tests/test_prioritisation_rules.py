"""Issue 11 §3: the prioritisation's stated rules, each with independently computed values.

* normalisation per model: min–max, or z-score with the *population* standard deviation;
* missing values: the criterion's worst value, or left out (with the count);
* ties: DANE code, then NIT, then id — ranks are a permutation of 1..n;
* open requests counted on the model's date (``test_prioritisation_selectors``);
* indicator scales refused at import, unused indicators deleted;
* the vigencia defaults to the year being planned and is editable while the model is a draft.

The expected numbers below were worked out by hand (shown in the comments), not by the code.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from hypothesis import given, settings
from hypothesis import strategies as st

from acompana.core.models import Event, FiscalYear
from acompana.core.tabular import ImportRejected
from acompana.planning.choices import CriterionKind, IndicatorScale, NeedStatus, Normalisation
from acompana.planning.models import (
    Indicator,
    IndicatorValue,
    NeedStakeholder,
    PrioritisationCriterion,
)
from acompana.planning.prioritisation import selectors, services
from acompana.planning.prioritisation.scoring import (
    EXCLUDE,
    WORST,
    ZSCORE,
    Criterion,
    score_stakeholders,
)
from acompana.planning.prioritisation.services import CriterionInput
from acompana.planning.tests.cases_prioritisation import fp_world, make_model
from acompana.planning.tests.factories import IndicatorFactory, NeedFactory, StrategyFactory
from acompana.planning.tests.factories import fiscal_year as year_of
from acompana.registry.tests.factories import StakeholderFactory, municipality


@pytest.fixture
def world(db):
    """Función Pública's procedure: its FP-1 names the planner (see ``fp_world``)."""
    return fp_world()


def _by_id(result):
    return {s.stakeholder_id: s for s in result.scored}


# --- z-score: population standard deviation -----------------------------------------------------


def test_zscore_uses_the_population_standard_deviation():
    """a = 2, 4, 6 → mean 4, σ = √((4 + 0 + 4) / 3) = √(8/3) = 1.632993 (the sample one
    would be 2); z = −1.224745, 0, +1.224745.
    b (a lower value means priority) = 10, 10, 40 → mean 20, σ = √((100 + 100 + 400) / 3)
    = √200 = 14.142136; −z = 0.707107, 0.707107, −1.414214.
    Score = (1 × z_a + 3 × z_b) / 4: id 1 → (−1.224745 + 2.121320) / 4 = 0.224144;
    id 2 → 2.121320 / 4 = 0.530330; id 3 → (1.224745 − 4.242641) / 4 = −0.754474."""
    result = score_stakeholders(
        stakeholder_ids=[1, 2, 3],
        criteria=[Criterion("a", 1), Criterion("b", 3, higher_means_priority=False)],
        raw={"a": {1: 2, 2: 4, 3: 6}, "b": {1: 10, 2: 10, 3: 40}},
        method=ZSCORE,
    )
    by_id = _by_id(result)
    assert result.stats["a"].std == pytest.approx(math.sqrt(8 / 3))
    assert result.stats["a"].mean == 4
    assert result.stats["b"].std == pytest.approx(math.sqrt(200))
    assert by_id[3].breakdown["a"].normalised == 1.225  # not 1.0 (the sample deviation's)
    assert by_id[1].breakdown["b"].normalised == 0.707
    assert by_id[3].breakdown["b"].normalised == -1.414
    assert by_id[1].score == 0.224
    assert by_id[2].score == 0.53
    assert by_id[3].score == -0.754
    assert [s.stakeholder_id for s in result.scored] == [2, 1, 3]
    assert [s.rank for s in result.scored] == [1, 2, 3]


def test_zscore_of_equal_values_is_zero_for_everyone():
    result = score_stakeholders(
        stakeholder_ids=[1, 2], criteria=[Criterion("a", 1)], raw={"a": {1: 5, 2: 5}}, method=ZSCORE
    )
    assert [s.score for s in result.scored] == [0.0, 0.0]
    assert result.stats["a"].std == 0


# --- missing values ------------------------------------------------------------------------------


def test_a_missing_value_gets_the_worst_value_of_the_criterion():
    """Min–max: a = 0, 10, — → 0, 100 and the missing one 0 (the worst).
    Z-score: a = 0, 10 → mean 5, σ 5 → −1, +1; the missing one gets −1 (the worst)."""
    raw = {"a": {1: 0, 2: 10}}
    minmax = _by_id(
        score_stakeholders(stakeholder_ids=[1, 2, 3], criteria=[Criterion("a", 1)], raw=raw)
    )
    assert (minmax[3].score, minmax[3].breakdown["a"].raw) == (0.0, None)
    assert minmax[3].rank == 3  # equal to id 1 (0), after it by id
    z = _by_id(
        score_stakeholders(
            stakeholder_ids=[1, 2, 3], criteria=[Criterion("a", 1)], raw=raw, method=ZSCORE
        )
    )
    assert (z[1].score, z[2].score, z[3].score) == (-1.0, 1.0, -1.0)
    # lower means priority: the worst z is then −1 for id 2
    inverted = _by_id(
        score_stakeholders(
            stakeholder_ids=[1, 2, 3],
            criteria=[Criterion("a", 1, higher_means_priority=False)],
            raw=raw,
            method=ZSCORE,
            missing=WORST,
        )
    )
    assert (inverted[1].score, inverted[2].score, inverted[3].score) == (1.0, -1.0, -1.0)


def test_exclude_leaves_out_who_misses_a_value_and_does_not_move_the_scale():
    """a = 0, 10, —; b = 5, 5, 100. Stakeholder 3 misses a → left out, so b's 100 does not
    count: b is 5, 5 (all equal → 0). Scores: id 1 = (0 + 0) / 2 = 0; id 2 = (100 + 0) / 2 = 50."""
    result = score_stakeholders(
        stakeholder_ids=[1, 2, 3],
        criteria=[Criterion("a", 1), Criterion("b", 1)],
        raw={"a": {1: 0, 2: 10}, "b": {1: 5, 2: 5, 3: 100}},
        missing=EXCLUDE,
    )
    assert result.excluded == [3]
    assert [(s.stakeholder_id, s.score, s.rank) for s in result.scored] == [
        (2, 50.0, 1),
        (1, 0.0, 2),
    ]
    assert result.stats["b"].all_equal and result.stats["b"].maximum == 5


# --- ties ----------------------------------------------------------------------------------------


def test_ties_follow_the_tie_key_not_the_order_nor_the_name():
    keys = {
        7: ("41298", "", 7),
        8: ("05001", "900", 8),
        9: ("05001", "800", 9),
        6: ("\uffff",) * 2 + (6,),
    }
    result = score_stakeholders(
        stakeholder_ids=[9, 7, 6, 8],
        criteria=[Criterion("a", 1)],
        raw={"a": {6: 1, 7: 1, 8: 1, 9: 1}},
        tie_keys=keys,
    )
    # DANE 05001 twice (NIT 800 before 900), then 41298, then the one without a code
    assert [s.stakeholder_id for s in result.scored] == [9, 8, 7, 6]
    assert [s.rank for s in result.scored] == [1, 2, 3, 4]


values = st.one_of(st.none(), st.integers(0, 4).map(float))  # few values: many ties


@st.composite
def problems(draw):
    ids = draw(st.lists(st.integers(1, 500), min_size=1, max_size=30, unique=True))
    criteria = [
        Criterion(f"c{i}", draw(st.sampled_from([1.0, 2.0, 0.5])), draw(st.booleans()))
        for i in range(draw(st.integers(1, 4)))
    ]
    raw = {c.key: {sid: v for sid in ids if (v := draw(values)) is not None} for c in criteria}
    keys = {
        sid: (
            draw(st.sampled_from(["05001", "41298", "\uffff"])),
            draw(st.sampled_from(["8", "9"])),
            sid,
        )
        for sid in ids
    }
    return ids, criteria, raw, keys


@settings(max_examples=200, deadline=None)
@given(problems(), st.sampled_from(["minmax", ZSCORE]), st.sampled_from([WORST, EXCLUDE]))
def test_ranks_are_a_permutation_and_ties_follow_the_stated_rule(problem, method, missing):
    ids, criteria, raw, keys = problem
    result = score_stakeholders(
        stakeholder_ids=ids,
        criteria=criteria,
        raw=raw,
        method=method,
        missing=missing,
        tie_keys=keys,
    )
    ranked = result.scored
    assert sorted(s.rank for s in ranked) == list(range(1, len(ranked) + 1))
    assert [s.rank for s in ranked] == list(range(1, len(ranked) + 1))
    assert len(ranked) + len(result.excluded) == len(ids)
    for before, after in zip(ranked, ranked[1:], strict=False):
        assert before.score >= after.score
        if before.score == after.score:  # the stated tie rule: DANE code, NIT, id
            assert keys[before.stakeholder_id] < keys[after.stakeholder_id]
    if missing == EXCLUDE:
        for sid in result.excluded:
            assert any(sid not in raw[c.key] for c in criteria)


# --- the ranking from the database: tie rule and rules stated ------------------------------------


def test_equal_scores_are_ranked_by_dane_code_then_nit_not_by_name(world):
    """Alphabetically «Alcaldía A» would come first; the stated rule puts DANE 05001 first."""
    a = StakeholderFactory(
        organization=world.org, name="Alcaldía A", municipality=municipality("41298")
    )
    b = StakeholderFactory(
        organization=world.org, name="Alcaldía B", municipality=municipality("05001")
    )
    c = StakeholderFactory(
        organization=world.org, name="Alcaldía C", municipality=None, department=None
    )
    model = make_model(
        world.org, world.planner, [{"kind": CriterionKind.NEEDS_COUNT, "label": "N"}]
    )
    ranking = selectors.ranking_compute(model=model)
    assert [(r.stakeholder.id, r.rank) for r in ranking.rows] == [(b.pk, 1), (a.pk, 2), (c.pk, 3)]
    assert ranking.rows[0].stakeholder.dane_code == "05001"
    # «the first N» is never ambiguous
    assert selectors.ranking_top(ranking.rows, 1) == [b.pk]


def test_the_page_and_the_export_state_the_rules(world, client_for):
    a, b = (StakeholderFactory(organization=world.org, name=n) for n in ("Uno", "Dos"))
    indicator = IndicatorFactory(organization=world.org, code="IDX")
    IndicatorValue.objects.create(
        organization=world.org, indicator=indicator, stakeholder=a, year=2025, value=Decimal(10)
    )
    model = make_model(
        world.org,
        world.planner,
        [
            {
                "kind": CriterionKind.INDICATOR,
                "indicator": indicator,
                "indicator_year": 2025,
                "label": "IDX",
            }
        ],
    )
    model.normalisation, model.missing_rule = ZSCORE, EXCLUDE
    model.save()
    client = client_for(world.planner)
    page = client.get(reverse("planning:prioritisation_ranking", args=[model.pk])).content.decode()
    with translation.override("es"):  # the catalogue's words, whichever state it is in
        zscore_label = str(Normalisation.ZSCORE.label)
        rule_label, dane, normalisation = _("Rule"), _("DANE code"), _("Normalisation")
        statements = selectors.model_rules(model, excluded_count=1).statements()
    assert zscore_label in page
    assert statements[0] in page  # the z-score sentence, naming the population deviation
    assert 'id="excluded-count"' in page  # «Dos» has no value: left out, counted
    response = client.get(
        reverse("planning:prioritisation_ranking_export", args=[model.pk]), {"format": "csv"}
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    header = rows[0]
    assert header[3:5] == [dane, "NIT"]
    assert header[-3] == normalisation
    assert rows[1][2] == "Uno" and rows[1][4] == a.nit
    assert rows[1][-3] == zscore_label
    assert len(rows) == 1 + 1 + 1 + 5  # header, «Uno» («Dos» left out), blank, five rules
    assert [r[1] for r in rows if r and r[0] == rule_label] == statements
    assert "1" in statements[2]  # the count of left out


# --- indicators: scale at import, delete while unused ---------------------------------------------


@pytest.mark.parametrize(
    ("scale", "value", "reason"),
    [
        (IndicatorScale.PERCENT, "120", "0 to 100"),
        (IndicatorScale.PERCENT, "-1", "0 to 100"),
        (IndicatorScale.BINARY, "0,5", "only 0 or 1"),
        (IndicatorScale.COUNT, "2,5", "whole number"),
        (IndicatorScale.COUNT, "-3", "whole number"),
        (IndicatorScale.NON_NEGATIVE, "-0,1", "0 or more"),
    ],
)
def test_values_outside_the_scale_are_refused_with_line_and_reason(world, scale, value, reason):
    IndicatorFactory(organization=world.org, code="ESC", scale=scale)
    a = StakeholderFactory(organization=world.org, dane_code="41298")
    text = (
        "Código del indicador;Identificador del grupo de valor;Año;Valor\n"
        f"ESC;{a.nit};2024;1\n"
        f"ESC;{a.nit};2025;{value}\n"
    )
    with translation.override("en"), pytest.raises(ImportRejected) as info:
        services.indicator_values_import(
            actor=world.planner, organization=world.org, content=text.encode(), filename="v.csv"
        )
    problems = dict(info.value.row_errors)
    assert list(problems) == [3]  # the line of the file
    assert reason in problems[3][0] and "outside the scale" in problems[3][0]
    assert not IndicatorValue.objects.exists()


def test_values_inside_the_scale_are_imported(world):
    IndicatorFactory(organization=world.org, code="ESC", scale=IndicatorScale.BINARY)
    a = StakeholderFactory(organization=world.org)
    text = f"Código del indicador;Identificador del grupo de valor;Año;Valor\nESC;{a.nit};2025;1\n"
    result = services.indicator_values_import(
        actor=world.planner, organization=world.org, content=text.encode(), filename="v.csv"
    )
    assert result.created == 1


def test_a_scale_that_stored_values_do_not_fit_is_refused(world):
    indicator = IndicatorFactory(organization=world.org, code="ESC")
    IndicatorValue.objects.create(
        organization=world.org,
        indicator=indicator,
        stakeholder=StakeholderFactory(organization=world.org),
        year=2025,
        value=Decimal("150"),
    )
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.indicator_update(
            actor=world.planner, indicator=indicator, expected_version=1, data={"scale": "percent"}
        )
    assert "1 values" in info.value.message_dict["scale"][0]


def test_an_unused_indicator_is_deleted_with_its_values_a_used_one_is_not(world, client_for):
    unused = IndicatorFactory(organization=world.org, code="LIBRE")
    IndicatorValue.objects.create(
        organization=world.org,
        indicator=unused,
        stakeholder=StakeholderFactory(organization=world.org),
        year=2025,
        value=Decimal(1),
    )
    used = IndicatorFactory(organization=world.org, code="USADO")
    make_model(
        world.org,
        world.planner,
        [{"kind": CriterionKind.INDICATOR, "indicator": used, "indicator_year": 2025}],
    )
    client = client_for(world.planner)
    detail = client.get(reverse("planning:indicator_detail", args=[used.pk])).content.decode()
    assert reverse("planning:indicator_delete", args=[used.pk]) not in detail
    response = client.post(reverse("planning:indicator_delete", args=[used.pk]), {"version": 1})
    assert response.status_code == 302 and Indicator.objects.filter(pk=used.pk).exists()
    response = client.post(reverse("planning:indicator_delete", args=[unused.pk]), {"version": 1})
    assert response["Location"] == reverse("planning:indicator_list")
    assert not Indicator.objects.filter(pk=unused.pk).exists()
    assert not IndicatorValue.objects.exists()
    assert Event.objects.filter(step_key="indicator.deleted").count() == 1
    with pytest.raises(PermissionDenied):
        services.indicator_delete(actor=world.auditor, indicator=used, expected_version=1)


# --- the vigencia ---------------------------------------------------------------------------------


def test_the_default_vigencia_is_the_year_being_planned(world, client_for):
    current = FiscalYear.objects.get(organization=world.org, is_current=True)
    assert selectors.planning_year(user=world.planner) == current
    following = year_of(world.org, current.year + 1)
    assert selectors.planning_year(user=world.planner) == following
    page = client_for(world.planner).get(reverse("planning:prioritisation_model_create"))
    assert page.context["form"].initial["fiscal_year"] == following


def test_the_vigencia_is_editable_while_the_model_is_a_draft(world):
    current = year_of(world.org)
    following = year_of(world.org, current.year + 1)
    StakeholderFactory(organization=world.org)
    model = services.prioritisation_model_create(
        actor=world.planner,
        organization=world.org,
        fiscal_year=current,
        name="Escenario",
        criteria=[CriterionInput(kind="needs_count", weight=1)],
        normalisation=ZSCORE,
    )
    services.prioritisation_model_update(
        actor=world.planner, model=model, expected_version=1, fiscal_year=following
    )
    model.refresh_from_db()
    assert model.fiscal_year == following and model.normalisation == ZSCORE
    ranking = selectors.ranking_compute(model=model)
    services.priority_list_save(
        actor=world.planner, model=model, selected_ids=[ranking.rows[0].stakeholder.id]
    )
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.prioritisation_model_update(
            actor=world.planner, model=model, expected_version=2, fiscal_year=current
        )
    assert "already saved" in info.value.message_dict["fiscal_year"][0]
    model.refresh_from_db()
    assert model.fiscal_year == following


def test_the_date_of_the_model_cannot_be_in_the_future(world):
    with translation.override("en"), pytest.raises(ValidationError) as info:
        services.prioritisation_model_create(
            actor=world.planner,
            organization=world.org,
            fiscal_year=year_of(world.org),
            name="Futuro",
            criteria=[CriterionInput(kind="needs_count", weight=1)],
            reference_date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "future" in info.value.message_dict["reference_date"][0]


def test_the_saved_list_keeps_the_rules(world):
    StakeholderFactory(organization=world.org)
    model = make_model(world.org, world.planner, [{"kind": CriterionKind.NEEDS_COUNT}])
    model.normalisation = ZSCORE
    model.reference_date = datetime.date(2026, 1, 31)
    model.save()
    ranking = selectors.ranking_compute(model=model)
    saved = services.priority_list_save(
        actor=world.planner, model=model, selected_ids=[ranking.rows[0].stakeholder.id]
    )
    assert (saved.normalisation, saved.missing_rule, saved.reference_date) == (
        ZSCORE,
        WORST,
        datetime.date(2026, 1, 31),
    )
    assert PrioritisationCriterion.objects.filter(model=model).count() == 1


# --- the strategy's demand view ---------------------------------------------------------------


def test_the_demand_view_shows_open_requests_and_the_priority_list(world, client_for):
    from acompana.planning.strategy.selectors import demand_priorities

    fy = year_of(world.org)
    s = StakeholderFactory(organization=world.org, name="Municipio priorizado")
    last_year = year_of(world.org, fy.year - 1)
    for status in (NeedStatus.OPEN, NeedStatus.PLANNED, NeedStatus.ADDRESSED, NeedStatus.DISCARDED):
        need = NeedFactory(organization=world.org, fiscal_year=last_year, status=status)
        NeedStakeholder.objects.create(organization=world.org, need=need, stakeholder=s)
    model = make_model(world.org, world.planner, [{"kind": CriterionKind.NEEDS_COUNT}])
    services.priority_list_save(actor=world.planner, model=model, selected_ids=[s.pk])
    strategy = StrategyFactory(organization=world.org)
    found = demand_priorities(user=world.planner, strategy=strategy)
    assert found.open_requests == 2  # open and planned, though they arrived last year
    assert [e.stakeholder_id for e in found.prioritised] == [s.pk]
    page = client_for(world.planner).get(
        reverse("planning:strategy_consolidation", args=[strategy.pk])
    )
    html = page.content.decode()
    assert 'id="open-requests"' in html and "Municipio priorizado" in html

"""Procedure profiles: the four shipped files, their validation, adjustments and check_profiles."""

from __future__ import annotations

import copy
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from acompana.core.choices import ProcedureCode, Role
from acompana.core.procedures import STEP_KEYS, get_profile, profile_switch
from acompana.core.procedures.profiles import (
    DATA_DIR,
    ProfileError,
    apply_overrides,
    load_profile_file,
    shipped_profile,
)
from acompana.core.tests.factories import OrganizationFactory

EXPECTED_STEPS = {"SAL": 8, "FP": 13, "EDU": 17, "DNP": 6}


def _raw(code: str) -> dict:
    return yaml.safe_load((DATA_DIR / f"{code}.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "SAL.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- the shipped files -----------------------------------------------------------------------


def test_every_procedure_code_has_a_file():
    assert sorted(p.stem for p in DATA_DIR.glob("*.yaml")) == sorted(ProcedureCode.values)


@pytest.mark.parametrize("code", list(EXPECTED_STEPS))
def test_shipped_profiles_load_with_contiguous_ids(code):
    profile = shipped_profile(code)
    assert profile.code == code
    assert profile.step_ids == [f"{code}-{n}" for n in range(1, EXPECTED_STEPS[code] + 1)]
    assert profile.title and profile.objective and profile.scope and profile.source.document
    for step in profile.steps:
        assert step.step_keys, step.id
        assert set(step.step_keys) <= set(STEP_KEYS), step.id
        assert set(step.roles) <= set(Role.values), step.id
        assert len(step.role_names) == len(step.roles)


def test_the_four_procedures_have_44_steps():
    """SAL-1..SAL-8, FP-1..FP-13, EDU-1..EDU-17 and DNP-1..DNP-6: 44 official steps."""
    ids = [s for code in EXPECTED_STEPS for s in shipped_profile(code).step_ids]
    assert len(ids) == 44 == len(set(ids))
    assert {"SAL-8", "FP-13", "EDU-17", "DNP-6"} <= set(ids)


def test_versions_and_sources():
    assert shipped_profile("EDU").version == "2022-v3"
    assert shipped_profile("EDU").source.code == "MI-GE-PR-16"
    assert shipped_profile("FP").version == "2025-v1"
    assert shipped_profile("DNP").version == "2020-v0"
    assert shipped_profile("SAL").source.date == "2024-12-04"


def test_sal_records_carry_the_official_codes():
    """SAL-2 produces the Plan de Asistencia Técnica MI-GS-RG-869; SAL-3 the quarterly
    schedule MI-GS-RG-577; SAL-5 the acta MI-GS-RG-557 among others; SAL-8 the FUID."""
    sal = shipped_profile("SAL")
    assert [(r.name, r.code, r.version) for r in sal.step("SAL-2").records] == [
        ("Plan de Asistencia Técnica", "MI-GS-RG-869", "1")
    ]
    assert sal.step("SAL-3").records[0].code == "MI-GS-RG-577"
    assert {r.code for r in sal.step("SAL-5").records} == {
        "AP-AI-RG-129",
        "MI-GS-RG-867",
        "ES-PE-RG-25",
        "AP-AI-RG-114",
        "MI-GS-RG-557",
    }
    assert "AP-AI-RG-120" in {r.code for r in sal.step("SAL-8").records}
    assert sal.step("SAL-4").records[0].code == "AP-AI-RG-110"


def test_edu_records_and_roles():
    """EDU-7 and EDU-14 produce the acta AP-AI-RG-111; EDU-2/EDU-4 the plan MI-GE-RG-217;
    EDU-3 is the group leader's review; EDU-13 involves finance."""
    edu = shipped_profile("EDU")
    assert edu.step("EDU-7").records[0].code == "AP-AI-RG-111"
    assert edu.step("EDU-14").records[0].code == "AP-AI-RG-111"
    assert edu.step("EDU-2").records[0].code == "MI-GE-RG-217"
    assert edu.step("EDU-17").records[1].code == "AP-AI-RG-120"
    assert edu.step("EDU-3").roles == ("unit_head",)
    assert edu.step("EDU-3").role_names == ("Líder de grupo",)
    assert "finance" in edu.step("EDU-13").roles
    # the same format used by two steps is one format (adjusted once)
    keys = [r.key for r in edu.formats]
    assert len(keys) == len(set(keys))
    assert edu.format_steps("AP-AI-RG-111") == ["EDU-7", "EDU-14"]


def test_fp_and_dnp_details():
    """FP-11 evaluates in two stages; FP-2 defines milestones; DNP-1/3/5/6 are control
    points (X) and DNP-5 is V/A in the PHVA cycle."""
    fp = shipped_profile("FP")
    assert fp.step("FP-11").step_keys == (
        "evaluation.applied",
        "evaluation.consolidated",
        "impact.evaluated",
    )
    assert fp.step("FP-7").when == "Según planificación: cada mes"
    assert fp.step("FP-1").control_point.startswith("Evaluar si las Direcciones Técnicas")
    dnp = shipped_profile("DNP")
    controlled = [s.id for s in dnp.steps if s.control_point]
    assert controlled == ["DNP-1", "DNP-3", "DNP-5", "DNP-6"]
    assert dnp.step("DNP-5").phva == "V/A"
    assert [s.phva for s in dnp.steps] == ["P", "H", "H", "H", "V/A", "H"]


def test_step_key_mapping():
    """SAL-1 and EDU-1 register needs; FP-1 and DNP-1 prioritise; DNP-2 contacts the
    grupos de valor; DNP-6 registers the accompaniments; FP-4 is the committee's decision."""
    assert [s.id for s in shipped_profile("SAL").steps_for_key("need.registered")] == ["SAL-1"]
    assert [s.id for s in shipped_profile("EDU").steps_for_key("need.registered")] == ["EDU-1"]
    assert [s.id for s in shipped_profile("FP").steps_for_key("prioritisation.saved")] == ["FP-1"]
    dnp = shipped_profile("DNP")
    assert [s.id for s in dnp.steps_for_key("prioritisation.saved")] == ["DNP-1"]
    assert [s.id for s in dnp.steps_for_key("stakeholder.contacted")] == ["DNP-2"]
    assert [s.id for s in dnp.steps_for_key("assistance.registered")] == ["DNP-6"]
    fp = shipped_profile("FP")
    assert [s.id for s in fp.steps_for_key("strategy.committee_decided")] == ["FP-4"]
    assert [s.id for s in fp.steps_for_key("milestone.recorded")] == ["FP-9"]
    edu = shipped_profile("EDU")
    # EDU-6 (the committee's coverage review) is recorded apart from EDU-7 (the approval)
    assert [s.id for s in edu.steps_for_key("plan.committee_reviewed")] == ["EDU-6"]
    assert [s.id for s in edu.steps_for_key("plan.committee_approved")] == ["EDU-7"]
    assert edu.steps_for_key("impact.evaluated") == []
    for code in EXPECTED_STEPS:
        assert shipped_profile(code).steps_for_key("stakeholder.created")
    assert [r.code for r in edu.records_for_key("session.recorded")] == ["AP-AI-RG-111"]


def test_switches_follow_the_procedures():
    sal, fp, edu, dnp = (shipped_profile(c) for c in ("SAL", "FP", "EDU", "DNP"))
    assert sal.switch("agenda_period") == "quarter"
    assert {fp.switch("agenda_period"), edu.switch("agenda_period")} == {"month"}
    assert edu.switch("plan_review_by_unit_head") and not fp.switch("plan_review_by_unit_head")
    assert edu.switch("plan_consolidation_by_planning") and fp.switch(
        "plan_consolidation_by_planning"
    )
    assert not sal.switch("plan_consolidation_by_planning")
    assert not dnp.switch("plan_consolidation_by_planning")
    assert edu.switch("plan_verification") and edu.switch("agenda_vs_plan_check")
    assert fp.switch("committee_approves_strategy") and not edu.switch(
        "committee_approves_strategy"
    )
    assert fp.switch("committee_approves_plan") and edu.switch("committee_approves_plan")
    assert not sal.switch("committee_approves_plan") and not dnp.switch("committee_approves_plan")
    assert fp.switch("evaluation_stages") == ("satisfaction", "impact")
    assert sal.switch("evaluation_stages") == ("satisfaction",)
    assert dnp.switch("consent_required_to_evaluate") and not sal.switch(
        "consent_required_to_evaluate"
    )
    assert fp.switch("milestones") and not edu.switch("milestones")
    assert edu.switch("travel_allowance")
    assert fp.role_names["unit_head"] == "Director técnico"
    assert edu.role_names["unit_head"] == "Líder de grupo"
    assert sal.role_names["unit_head"] == "Director / Coordinador de grupo"
    for profile in (sal, fp, edu, dnp):
        assert profile.switch("unit_scoped_writes") is True


def test_shipped_profile_is_read_only():
    profile = shipped_profile("SAL")
    with pytest.raises(TypeError):
        profile.switches["agenda_period"] = "month"  # type: ignore[index]


def test_files_are_parsed_once_per_modification(tmp_path):
    path = _write(tmp_path, _raw("SAL"))
    first = load_profile_file(path)
    assert load_profile_file(path) is first
    data = _raw("SAL")
    data["title"] = "Otro título"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_profile_file(path).title == "Otro título"


# --- broken files are refused with a clear message --------------------------------------------


def _refused(tmp_path, data) -> ProfileError:
    path = _write(tmp_path, data)
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    return info.value


def test_missing_step_id_is_refused(tmp_path):
    """A SAL-3 without id: the message names the file, the step position and the field."""
    data = _raw("SAL")
    del data["steps"][2]["id"]
    error = _refused(tmp_path, data)
    assert "SAL.yaml" in str(error)
    assert "paso nº 3" in str(error)
    assert "falta el campo obligatorio «id»" in str(error)


def test_unknown_role_is_refused(tmp_path):
    """SAL-2 given a role that does not exist."""
    data = _raw("SAL")
    data["steps"][1]["roles"] = ["unit_head", "jefe_de_todo"]
    error = _refused(tmp_path, data)
    assert error.step == "SAL-2"
    assert "rol desconocido «jefe_de_todo»" in str(error)
    assert "SAL.yaml" in str(error)


def test_unknown_step_key_is_refused(tmp_path):
    """SAL-5 mapped to a step key nobody emits."""
    data = _raw("SAL")
    data["steps"][4]["step_keys"] = ["session.recorded", "session.teleported"]
    error = _refused(tmp_path, data)
    assert error.step == "SAL-5"
    assert "clave de paso desconocida «session.teleported»" in str(error)


def test_step_without_keys_is_refused(tmp_path):
    """SAL-6 with no key could never be completed."""
    data = _raw("SAL")
    data["steps"][5]["step_keys"] = []
    error = _refused(tmp_path, data)
    assert error.step == "SAL-6"
    assert "step_keys" in str(error)


def test_duplicate_step_id_is_refused(tmp_path):
    """Two steps called SAL-2."""
    data = _raw("SAL")
    data["steps"][2]["id"] = "SAL-2"
    error = _refused(tmp_path, data)
    assert error.step == "SAL-2"
    assert "está repetido" in str(error)


def test_gap_in_step_ids_is_refused(tmp_path):
    """SAL-4 missing: SAL-5 comes right after SAL-3."""
    data = _raw("SAL")
    del data["steps"][3]
    error = _refused(tmp_path, data)
    assert error.step == "SAL-5"
    assert "se esperaba el id «SAL-4»" in str(error)


def test_record_without_name_is_refused(tmp_path):
    data = _raw("SAL")
    data["steps"][1]["records"] = [{"code": "MI-GS-RG-869", "version": "1"}]
    error = _refused(tmp_path, data)
    assert error.step == "SAL-2"
    assert "«name»" in str(error)


def test_same_format_with_different_data_is_refused(tmp_path):
    """The acta MI-GS-RG-557 of SAL-5 and SAL-7 must be the same format."""
    data = _raw("SAL")
    data["steps"][6]["records"][0]["version"] = "9"
    error = _refused(tmp_path, data)
    assert error.step == "SAL-7"
    assert "MI-GS-RG-557" in str(error)


def test_bad_switch_and_yaml_are_refused(tmp_path):
    data = _raw("SAL")
    data["switches"]["agenda_period"] = "week"
    assert "week" in str(_refused(tmp_path, data))
    path = tmp_path / "roto.yaml"
    path.write_text("code: SAL\nsteps: [\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="no es YAML válido"):
        load_profile_file(path)


def test_broken_file_is_not_cached_as_valid(tmp_path):
    data = _raw("SAL")
    path = _write(tmp_path, data)
    load_profile_file(path)
    broken = copy.deepcopy(data)
    broken["steps"][0]["roles"] = ["nadie"]
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(ProfileError):
        load_profile_file(path)


# --- adjustments (Organization.procedure_overrides) -----------------------------------------


def test_overrides_merge_over_the_shipped_file():
    """Adjusting MI-GS-RG-557 changes it in SAL-5 and SAL-7; role names follow."""
    base = shipped_profile("SAL")
    merged = apply_overrides(
        base,
        {
            "records": {
                "MI-GS-RG-557": {"code": "MI-GS-RG-557", "version": "4", "date": "2025-03-01"}
            },
            "role_names": {"unit_head": "Director de área"},
        },
    )
    for step_id in ("SAL-5", "SAL-7"):
        acta = next(r for r in merged.step(step_id).records if r.key == "MI-GS-RG-557")
        assert (acta.version, acta.date, acta.adjusted) == ("4", "2025-03-01", True)
    assert merged.step("SAL-1").role_names == ("Director de área",)
    assert merged.role_names["unit_head"] == "Director de área"
    assert merged.switches["role_names"]["unit_head"] == "Director de área"
    # the shipped (cached) profile is untouched
    assert base.step("SAL-7").records[0].version == "1"
    assert base.role_names["unit_head"] == "Director / Coordinador de grupo"


def test_overrides_ignore_unknown_entries():
    base = shipped_profile("SAL")
    merged = apply_overrides(
        base, {"records": {"NO-EXISTE": {"code": "X"}}, "role_names": {"x": "y"}}
    )
    assert [r.code for r in merged.formats] == [r.code for r in base.formats]


@pytest.mark.django_db
def test_get_profile_and_switches_of_an_organization():
    org = OrganizationFactory(
        procedure_code=ProcedureCode.EDU,
        procedure_overrides={"records": {"AP-AI-RG-111": {"code": "AP-AI-RG-111", "version": "7"}}},
    )
    profile = get_profile(org)
    assert profile.title == "Programación y ejecución de la asistencia técnica"
    assert str(profile) == profile.title
    assert profile.step("EDU-7").records[0].version == "7"
    assert profile.step("EDU-14").records[0].version == "7"
    assert profile_switch(org, "unit_scoped_writes") is True
    assert profile_switch(org, "agenda_vs_plan_check") is True
    assert profile_switch(org, "no_such_switch") is None
    assert profile_switch(org, "role_names")["unit_head"] == "Líder de grupo"


@pytest.mark.django_db
def test_home_page_shows_the_procedure_title(client_for, world):
    response = client_for(world.professional).get("/")
    assert response.status_code == 200
    assert "Procedimiento Asistencia Técnica en Salud" in response.content.decode()


# --- check_profiles ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_check_profiles_validates_the_shipped_files():
    out = StringIO()
    call_command("check_profiles", "--organizations", stdout=out, stderr=StringIO())
    text = out.getvalue()
    for code, steps in EXPECTED_STEPS.items():
        assert f"{code}.yaml: {code}" in text
        assert f"{steps} pasos" in text


def test_check_profiles_refuses_a_broken_file(tmp_path):
    data = _raw("DNP")
    data["steps"][1]["roles"] = ["contratista"]
    path = _write(tmp_path, data, name="DNP.yaml")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_profiles", str(path), stdout=StringIO(), stderr=err)
    assert "DNP.yaml" in err.getvalue()
    assert "paso DNP-2" in err.getvalue()
    assert "rol desconocido «contratista»" in err.getvalue()


def test_check_profiles_accepts_a_valid_extra_file(tmp_path):
    path = _write(tmp_path, _raw("FP"), name="FP-copia.yaml")
    out = StringIO()
    call_command("check_profiles", str(path), stdout=out, stderr=StringIO())
    assert "13 pasos" in out.getvalue()

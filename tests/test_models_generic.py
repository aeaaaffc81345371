"""Generic model tests (DESIGN sections 4 and 6.6): tenancy is declared, indexed and tested.

* every model with a foreign key to ``Organization`` is a ``TenantModel`` (one scoping manager,
  ``for_user``), unless it is listed below with the reason it is not;
* ``organization`` comes first in every composite index (and composite unique constraint),
  so the schema can be distributed by organization;
* every tenant model is the object (or a list row) of some permission/tenancy case of the
  pages or the API, or is reached only through a model that is (declared below): a new
  model without a case fails here.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction

from acompana.core.models import Organization, TenantModel
from acompana.core.plugins import apps_with, product_apps
from acompana.core.tests.factories import build_world

#: models with a foreign key to Organization that are not tenant-owned rows, and why
NOT_TENANT_MODELS = {
    # a person may belong to several organizations; this is the one they are working in
    "core.User": "active_organization is a preference, not ownership",
    # append-only audit: system events have no organization; scoped by TenantQuerySet
    "core.Event": "append-only audit trail, organization may be empty",
}

#: composite unique constraints that do not start with ``organization`` yet (each needs a
#: migration of its app to become ``(organization, ...)``). The list may only shrink: a new
#: one fails the test, and a fixed one must be removed from here.
UNIQUE_WITHOUT_ORGANIZATION_FIRST: set[tuple[str, tuple[str, ...]]] = set()

#: tenant models with no page or operation of their own: they are read and written only
#: through the named model's pages and API (whose cases cover them), or by the test module
#: named (a platform piece no page lists yet).
COVERED_THROUGH = {
    "catalog.ServiceTopic": "catalog.Service",
    "catalog.ServiceMechanism": "catalog.Service",
    "catalog.ServiceModality": "catalog.Service",
    "planning.NeedStakeholder": "planning.Need",
    "planning.PrioritisationCriterion": "planning.PrioritisationModel",
    "planning.StrategyRound": "planning.Strategy",
    "planning.StrategyProposalService": "planning.StrategyProposal",
    "planning.CommitteeDecision": "planning.Strategy",
    "planning.PlanLineStakeholder": "planning.PlanLine",
    "planning.PlanLineNeed": "planning.PlanLine",
    "planning.PlanComment": "planning.Plan",
    "core.PublicLink": "core/tests/test_public_links.py",
    "core.ImportColumnMapping": "registry/tests/test_imports.py",
}


def product_models() -> list[type[models.Model]]:
    """Models of the product's apps, the test-only stage included (it must pass too)."""
    labels = {app.label for app in product_apps()} | {"geo"}
    return [m for m in apps.get_models() if m._meta.app_label in labels]


def tenant_models() -> list[type[models.Model]]:
    return [m for m in product_models() if issubclass(m, TenantModel)]


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def test_every_model_with_an_organization_is_a_tenant_model():
    wrong = []
    for model in product_models():
        to_organization = [
            f.name
            for f in model._meta.get_fields()
            if f.is_relation and f.many_to_one and f.related_model is Organization
        ]
        exempt = issubclass(model, TenantModel) or _label(model) in NOT_TENANT_MODELS
        if to_organization and not exempt:
            wrong.append(f"{_label(model)} ({', '.join(to_organization)})")
    assert not wrong, f"Models pointing at Organization that are not TenantModel: {wrong}"


def test_the_exceptions_still_exist():
    labels = {_label(m) for m in product_models()}
    assert set(NOT_TENANT_MODELS) <= labels
    assert {label for label, _fields in UNIQUE_WITHOUT_ORGANIZATION_FIRST} <= labels


def test_tenant_models_use_the_scoping_manager():
    wrong = [_label(m) for m in tenant_models() if not hasattr(m._default_manager, "for_user")]
    assert not wrong, f"Tenant models whose default manager has no for_user: {wrong}"


def _composite(fields: Any) -> bool:
    return len(fields) > 1


def test_organization_comes_first_in_every_composite_index():
    wrong = []
    for model in tenant_models():
        for index in model._meta.indexes:
            fields = [f.lstrip("-") for f in index.fields]
            if _composite(fields) and fields[0] != "organization":
                wrong.append(f"{_label(model)}: {index.fields}")
    assert not wrong, f"Composite indexes without organization first: {wrong}"


def test_organization_comes_first_in_composite_unique_constraints():
    found = set()
    for model in tenant_models():
        groups = [tuple(getattr(c, "fields", ()) or ()) for c in model._meta.constraints]
        groups += [tuple(u) for u in model._meta.unique_together]
        for fields in groups:
            if _composite(fields) and fields[0] != "organization":
                found.add((_label(model), fields))
    new = sorted(found - UNIQUE_WITHOUT_ORGANIZATION_FIRST)
    fixed = sorted(UNIQUE_WITHOUT_ORGANIZATION_FIRST - found)
    assert not new, f"Composite unique constraints without organization first: {new}"
    assert not fixed, f"Fixed: remove from UNIQUE_WITHOUT_ORGANIZATION_FIRST: {fixed}"


# --- every tenant model has a permission/tenancy case ----------------------------------------


def all_cases() -> list[Any]:
    """The page cases (``CASES``) and API cases (``API_CASES``) of every app."""
    cases: list[Any] = []
    for app in apps_with("url_prefix"):
        cases.extend(importlib.import_module(f"{app.name}.tests.permission_cases").CASES)
    for app in product_apps():
        if app.api_prefix is None and app.label != "api":
            continue
        cases.extend(importlib.import_module(f"{app.name}.tests.api_cases").API_CASES)
    return cases


class _Rollback(Exception):
    pass


def _built_types(world: Any, builder: Any, *args: Any) -> set[str]:
    """The models of what ``builder`` returns, built in a savepoint that is rolled back."""
    built: set[str] = set()
    try:
        with transaction.atomic():
            result = builder(world, *args)
            for item in result if isinstance(result, list) else [result]:
                if isinstance(item, models.Model):
                    built.add(_label(type(item)))
            raise _Rollback
    except _Rollback:
        pass
    world.org.refresh_from_db()  # builders may switch the procedure in memory
    return built


@pytest.mark.django_db(transaction=False)
def test_every_tenant_model_has_a_permission_case():
    world = build_world()
    covered: set[str] = set()
    seen: set[int] = set()
    for case in all_cases():
        for builder, args in (
            (getattr(case, "obj", None), ()),
            (getattr(case, "rows", None), (world.org, None, 1)),
        ):
            if builder is None or id(builder) in seen:
                continue
            seen.add(id(builder))
            covered |= _built_types(world, builder, *args)
    labels = {_label(m) for m in tenant_models()}
    through = {
        child for child, parent in COVERED_THROUGH.items() if parent in covered or "/" in parent
    }
    missing = sorted(labels - covered - through)
    assert not missing, (
        "Tenant models that no ViewCase/ApiCase builds (obj= or rows=) and that are not "
        f"declared in COVERED_THROUGH: {missing}"
    )
    stale = sorted(child for child in COVERED_THROUGH if child in covered)
    assert not stale, f"Covered by a case now: remove from COVERED_THROUGH: {stale}"


def test_covered_through_names_a_real_parent():
    labels = {_label(m) for m in product_models()}
    for child, parent in COVERED_THROUGH.items():
        assert child in labels, child
        if "/" in parent:  # a test module
            continue
        model = apps.get_model(child)
        parents = {
            _label(f.related_model)
            for f in model._meta.get_fields()
            if f.is_relation and f.many_to_one and f.related_model is not None
        }
        generic = "contenttypes.ContentType" in parents  # points at any object (an acta)
        assert parent in parents or generic, f"{child} has no foreign key to {parent}"

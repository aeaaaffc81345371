"""Apps plug in; core lists no app (issue 10 §2, DESIGN section 4).

1. The test-only stage ``tests/sample_stage`` is one folder and one line in ``INSTALLED_APPS``
   (test settings): it must appear in the URLs, the API, the home page's stages and menu, the
   pending work, the demo, the permissions and the generic permission tests.
2. Every installed product app is wired wherever its modules say it should be: an app with
   ``urls.py`` is served, one with ``api.py`` is mounted, one with ``demo.py``/``pending.py``/
   ``seeds.py``/``permissions.py`` declares it, one with pages has permission cases.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, reverse

from acompana.api.router import api
from acompana.core.permissions import PERMISSIONS
from acompana.core.plugins import product_apps
from tests.sample_stage.models import SampleVisit
from tests.test_api_permissions_generic import all_cases as all_api_cases
from tests.test_api_permissions_generic import api_operations
from tests.test_permissions_generic import all_cases as all_view_cases

SAMPLE = "sample_stage"


def _app(label: str):
    return next(app for app in product_apps() if app.label == label)


def test_the_sample_stage_is_a_product_app_in_lifecycle_order():
    labels = [app.label for app in product_apps()]
    assert SAMPLE in labels
    assert labels.index("planning") < labels.index(SAMPLE) < labels.index("api")


def test_the_sample_stage_serves_its_pages_and_api(client_for, world):
    assert reverse("sample_stage:visit_list") == "/etapa-de-prueba/"
    SampleVisit.objects.create(organization=world.org, name="Visita visible")
    page = client_for(world.professional).get(reverse("sample_stage:visit_list"))
    assert page.status_code == 200 and "Visita visible" in page.content.decode()
    assert ("sample_visit_list", "get") in [(op[0], op[1]) for op in api_operations()]
    response = client_for(world.professional).get("/api/v1/etapa-de-prueba/visitas")
    assert response.status_code == 200
    assert [v["name"] for v in response.json()["results"]] == ["Visita visible"]
    assert "/api/v1/etapa-de-prueba/visitas" in api.get_openapi_schema()["paths"]


def test_the_sample_stage_is_on_the_home_page_menu_and_pending_work(client_for, world):
    SampleVisit.objects.create(organization=world.org, name="Visita pendiente")
    response = client_for(world.professional).get(reverse("core:home"))
    html = response.content.decode()
    url = reverse("sample_stage:visit_list")
    assert ("Etapa de prueba", url) in [(s.title, s.url) for s in response.context["stages"]]
    assert f'<a href="{url}">Etapa de prueba</a>' in html  # home card
    menus = {m.title: [i.url for i in m.items] for m in response.context["app_menus"]}
    assert menus["Etapa de prueba"] == [url]
    assert "Visitas de prueba por revisar" in [p.title for p in response.context["pending"]]


def test_the_sample_stage_declares_its_permissions():
    assert "sample_stage.view" in PERMISSIONS


def test_the_sample_stage_is_in_the_generic_permission_tests():
    assert "sample_stage:visit_list" in {case.url_name for case in all_view_cases()}
    names = {getattr(case, "url_name", None) or case.name for case in all_api_cases()}
    assert "sample_visit_list" in names


@pytest.mark.django_db
def test_the_demo_runs_the_sample_stage_loader():
    call_command("load_reference_data", verbosity=0)
    call_command("load_demo", verbosity=0)
    from acompana.core.demo import DEMO_ORGANIZATIONS

    demo_names = set(
        SampleVisit.objects.filter(name="Visita de demostración").values_list(
            "organization__slug", flat=True
        )
    )
    assert demo_names == {spec.slug for spec in DEMO_ORGANIZATIONS}


def _has_module(app, module: str) -> bool:
    return importlib.util.find_spec(f"{app.name}.{module}") is not None


def _included_modules() -> set[str]:
    return {
        getattr(p.urlconf_module, "__name__", str(p.urlconf_name))
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver)
    }


@pytest.mark.parametrize("app", product_apps(), ids=lambda a: a.label)
def test_every_product_app_is_wired_where_its_modules_say(app):
    path = Path(app.path)
    if (path / "urls.py").exists() and app.urls_module == "urls":
        assert app.url_prefix is not None, f"{app.label} has urls.py but no url_prefix"
    if app.url_prefix is not None:
        assert app.urls in _included_modules()
        assert _has_module(app, "tests.permission_cases"), f"{app.label}: no permission cases"
    if (path / "api.py").exists() and app.label != "api":
        assert app.api_prefix is not None, f"{app.label} has api.py but no api_prefix"
    if app.api_prefix is not None:
        mounted = [r for _prefix, r in api._routers]
        assert app.api_router in mounted
        assert _has_module(app, "tests.api_cases"), f"{app.label}: no API cases"
    for module, attribute in (
        ("demo", "demo_loader"),
        ("pending", "pending_work"),
        ("seeds", "reference_seeds"),
        ("permissions", "permissions"),
    ):
        # core's demo.py is the runner calling every loader; its permissions.py is the merger
        if (path / f"{module}.py").exists() and app.label != "core":
            assert getattr(app, attribute), f"{app.label} has {module}.py but no {attribute}"
        if getattr(app, attribute):
            assert callable(app.hook(attribute)) or isinstance(app.hook(attribute), dict)

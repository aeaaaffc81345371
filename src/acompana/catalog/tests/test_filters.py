"""The services list's one filter definition (``catalog.filters.ServiceFilterForm``)."""

import pytest
from django.urls import reverse

from acompana.catalog.choices import ActiveFilter
from acompana.catalog.filters import ServiceFilterForm
from acompana.catalog.tests.factories import ServiceFactory
from acompana.core.tests.api_utils import assert_error


def test_defaults_show_the_active_services_only():
    form = ServiceFilterForm({})
    assert form.values()["active"] == ActiveFilter.ACTIVE
    assert form.as_query() == {"active": ActiveFilter.ACTIVE}
    assert not form.is_filtered()


def test_a_malformed_value_is_left_out_and_the_others_apply():
    form = ServiceFilterForm({"q": "  visita ", "unit": "nonsense", "active": "maybe"})
    values = form.values()
    assert values["q"] == "visita" and values["unit"] is None
    assert values["active"] == ActiveFilter.ACTIVE
    assert form.as_query() == {"q": "visita", "active": ActiveFilter.ACTIVE}
    assert form.is_filtered()


def test_the_query_keeps_the_order_of_the_filters_and_cuts_long_searches():
    form = ServiceFilterForm({"active": "all", "topic": "7", "q": "x" * 300})
    assert list(form.as_query()) == ["q", "topic", "active"]
    assert len(form.values()["q"]) == 200


@pytest.mark.django_db
def test_the_api_binds_the_same_form(client_for, world):
    ServiceFactory(organization=world.org, unit=world.unit, name="Visita técnica")
    ServiceFactory(organization=world.org, unit=world.unit, name="Taller", is_active=False)
    c = client_for(world.auditor)
    url = reverse("api:catalog_service_list")
    assert [s["name"] for s in c.get(url, {"q": "visita"}).json()["results"]] == ["Visita técnica"]
    assert c.get(url).json()["count"] == 2  # no ``active``: all, as documented
    assert_error(c.get(url, {"origin": "nowhere"}), 422, "invalid_request")

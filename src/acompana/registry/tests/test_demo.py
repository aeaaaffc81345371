import pytest

from acompana.core.choices import ProcedureCode, Role
from acompana.core.tests.factories import OrganizationFactory, member
from acompana.geo.models import Department
from acompana.registry import demo
from acompana.registry.models import Person, Stakeholder
from acompana.registry.selectors import sensitive_data

pytestmark = pytest.mark.django_db


class Spec:
    def __init__(self, department_code):
        self.department_code = department_code


@pytest.mark.parametrize(
    ("procedure", "department", "kinds"),
    [
        (ProcedureCode.SAL, "41", {"municipality", "department", "health_actor"}),
        (ProcedureCode.EDU, "15", {"municipality", "department", "school", "school_site"}),
        (
            ProcedureCode.FP,
            "11",
            {"national_entity", "territorial_entity", "municipality", "department"},
        ),
        (ProcedureCode.DNP, "11", {"municipality", "department"}),
    ],
)
def test_demo_is_valid_and_idempotent(procedure, department, kinds):
    org = OrganizationFactory(
        procedure_code=procedure, department=Department.objects.get(code=department)
    )
    member(org, Role.ADMIN)
    professional = member(org, Role.PROFESSIONAL)
    created = demo.load(organization=org, spec=Spec(department))
    assert created >= 20
    stakeholders = Stakeholder.objects.filter(organization=org)
    assert set(stakeholders.values_list("kind", flat=True)) == kinds
    assert Person.objects.filter(organization=org).count() == len(demo.PEOPLE)
    revoked = Person.objects.get(organization=org, document_number="12138765")
    assert sensitive_data(user=professional, person=revoked) is None
    count = stakeholders.count()
    assert demo.load(organization=org, spec=Spec(department)) == 0
    assert stakeholders.count() == count
    assert Person.objects.filter(organization=org).count() == len(demo.PEOPLE)


def test_the_product_demo_loads_the_registry_twice():
    from acompana.core.demo import load_demo

    organizations = load_demo()
    counts = {o.slug: Stakeholder.objects.filter(organization=o).count() for o in organizations}
    assert all(n >= 20 for n in counts.values()), counts
    load_demo()
    assert counts == {
        o.slug: Stakeholder.objects.filter(organization=o).count() for o in organizations
    }

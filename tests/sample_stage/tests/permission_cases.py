from acompana.core.tests.cases import ApiListCase, ViewCase, unique_text
from tests.sample_stage.models import SampleVisit


def _visits(world, organization, parent, n):
    return [
        SampleVisit.objects.create(organization=organization, name=unique_text("Visita"))
        for _ in range(n)
    ]


CASES = [ViewCase("sample_stage:visit_list", rows=_visits)]
API_LISTS = [ApiListCase("sample_visit_list", rows=_visits)]

from ninja import Query, Router, Schema

from acompana.core.api import ERROR_RESPONSES, CursorParams, Page, api_permission, page_of
from tests.sample_stage.models import SampleVisit

router = Router(tags=["Etapa de prueba"])


class VisitOut(Schema):
    id: int
    name: str


@router.get(
    "/visitas", response={200: Page[VisitOut], **ERROR_RESPONSES}, url_name="sample_visit_list"
)
@api_permission("sample_stage.view")
def sample_visit_list(request, params: Query[CursorParams]):
    visits = SampleVisit.objects.for_user(request.user)
    return page_of(visits, params, lambda v: VisitOut(id=v.pk, name=v.name))

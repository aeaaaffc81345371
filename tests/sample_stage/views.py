from django.shortcuts import render

from acompana.core.access import permission_view
from acompana.core.views.utils import paginate
from tests.sample_stage.models import SampleVisit


@permission_view("sample_stage.view")
def visit_list(request):
    visits = SampleVisit.objects.for_user(request.user).order_by("name", "pk")
    return render(request, "sample_stage/visit_list.html", {"page": paginate(request, visits)})

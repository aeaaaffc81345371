from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acompana.core.access import permission_view


@permission_view("core.view_procedure")
def procedure(request: HttpRequest) -> HttpResponse:
    return render(request, "core/procedures/procedure.html", {})

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acompana.core.access import permission_view


@permission_view("registry.view")
def stakeholder_list(request: HttpRequest) -> HttpResponse:
    return render(request, "registry/stakeholder_list.html", {})

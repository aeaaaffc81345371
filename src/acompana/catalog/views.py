from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acompana.core.access import permission_view


@permission_view("catalog.view")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/home.html", {})

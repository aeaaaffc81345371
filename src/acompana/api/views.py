from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from acompana.core.access import member_view


@member_view
def token_list(request: HttpRequest) -> HttpResponse:
    return render(request, "api/token_list.html", {})

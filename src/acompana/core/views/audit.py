"""Audit list (filterable) and the audit page of one object.

Events are shown as people read them (``core.events_display`` through the ``acompana``
template filters): labels, names, formatted values — never a step key or a Python value.
"""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from acompana.core import selectors
from acompana.core.access import permission_view
from acompana.core.events_display import key_label
from acompana.core.views.utils import paginate, querystring_without_page


@permission_view("core.view_audit")
def audit_list(request: HttpRequest) -> HttpResponse:
    events = selectors.events_for_user(user=request.user)
    filters = {
        "q": request.GET.get("q", "").strip(),
        "step_key": request.GET.get("step_key", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "since": request.GET.get("since", "").strip(),
        "until": request.GET.get("until", "").strip(),
    }
    if filters["q"]:
        events = events.filter(object_repr__icontains=filters["q"]) | events.filter(
            summary__icontains=filters["q"]
        )
    if filters["step_key"]:
        events = events.filter(step_key__startswith=filters["step_key"])
    if filters["actor"]:
        events = events.filter(actor__email__icontains=filters["actor"])
    tz = timezone.get_current_timezone()
    if since := parse_date(filters["since"] or "x") if filters["since"] else None:
        events = events.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until := parse_date(filters["until"]) if filters["until"] else None:
        events = events.filter(created_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    step_keys = (
        selectors.events_for_user(user=request.user)
        .order_by("step_key")
        .values_list("step_key", flat=True)
        .distinct()
    )
    return render(
        request,
        "core/audit/list.html",
        {
            "page": paginate(request, events),
            "filters": filters,
            # the filter offers each event by its label (never the key), in label order
            "step_keys": sorted(((k, key_label(k)) for k in step_keys), key=lambda kv: kv[1]),
            "querystring": querystring_without_page(request),
        },
    )


@permission_view("core.view_audit")
def audit_object(request: HttpRequest, app_label: str, model: str, object_id: str) -> HttpResponse:
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        raise Http404
    events = selectors.events_for_user(user=request.user).filter(
        content_type=content_type, object_id=object_id
    )
    if not events.exists():
        raise Http404
    return render(
        request,
        "core/audit/object.html",
        {"page": paginate(request, events), "object_repr": events.first().object_repr},  # type: ignore[union-attr]
    )

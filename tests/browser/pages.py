"""The main pages a person walks through, built on a fresh world (shared by the
accessibility and the English-browser tests)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse


@dataclass
class MainPages:
    world: object
    plan: object
    #: (name, path) of the signed-in pages
    signed_in: list[tuple[str, str]]
    #: (name, path) of the public pages
    public: list[tuple[str, str]]


def build_main_pages(world) -> MainPages:
    """A plan with a line of $ 1.250.000, a need and a stakeholder, and every main page."""
    from acompana.planning.tests.factories import NeedFactory, PlanFactory, PlanLineFactory
    from acompana.registry.tests.factories import StakeholderFactory

    StakeholderFactory(organization=world.org, name="Hospital San Antonio")
    NeedFactory(organization=world.org, unit=world.unit, created_by=world.admin)
    plan = PlanFactory(organization=world.org, unit=world.unit, created_by=world.admin)
    PlanLineFactory(plan=plan, position=1, budget=Decimal("1250000"))
    signed_in = [
        ("home", reverse("core:home")),
        ("procedure", reverse("core:procedure")),
        ("registry list", reverse("registry:stakeholder_list")),
        ("needs list", reverse("planning:need_list")),
        ("plan list", reverse("planning:plan_list")),
        ("plan detail", reverse("planning:plan_detail", args=[plan.pk])),
        ("strategy", reverse("planning:strategy_home")),
        ("prioritisation", reverse("planning:prioritisation_model_list")),
        ("audit", reverse("core:audit_list")),
    ]
    public = [("public request form", reverse("planning:need_request", args=[world.org.slug]))]
    return MainPages(world=world, plan=plan, signed_in=signed_in, public=public)

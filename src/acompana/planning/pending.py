"""Planning work waiting for a user, shown on the home page (``core.selectors.pending_work``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from acompana.core.permissions import has_perm
from acompana.planning.choices import ProposalStatus, StrategyStatus
from acompana.planning.needs.selectors import to_triage_count
from acompana.planning.plans.selectors import pending_plan_work
from acompana.planning.strategy.selectors import proposals_for_user


def pending_work(user: Any) -> list[tuple[str, str, str]]:
    """(title, detail, url) items for the home page."""
    items: list[tuple[str, str, str]] = []
    if has_perm(user, "planning.change_needs"):
        triage = to_triage_count(user=user)
        if triage:
            items.append(
                (
                    _("Requests for assistance to triage"),
                    str(triage),
                    reverse("planning:need_list") + "?status=to_triage",
                )
            )
    if has_perm(user, "planning.propose_strategy"):
        proposals = (
            proposals_for_user(user=user, action="change")
            .filter(
                status__in=[ProposalStatus.DRAFT, ProposalStatus.RETURNED],
                excluded=False,
                strategy__status__in=[StrategyStatus.DRAFT, StrategyStatus.RETURNED],
            )
            .count()
        )
        if proposals:
            items.append(
                (
                    _("Strategy proposals to fill or adjust"),
                    str(proposals),
                    reverse("planning:strategy_home"),
                )
            )
    items.extend((title, str(count), url) for title, count, url in pending_plan_work(user=user))
    return items

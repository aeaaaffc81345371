"""Planning API: the routers of each area, mounted at /api/v1/planificacion."""

from ninja import Router

from acompana.planning.checks.api import router as checks_router
from acompana.planning.needs.api import router as needs_router
from acompana.planning.plans.api import router as plans_router
from acompana.planning.prioritisation.api import router as prioritisation_router
from acompana.planning.strategy.api import router as strategy_router

router = Router(tags=["Planeación"])
router.add_router("/", needs_router)
router.add_router("/", prioritisation_router)
router.add_router("/", strategy_router)
router.add_router("/", plans_router)
router.add_router("/", checks_router)

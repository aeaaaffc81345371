"""A stage that exists only in the test settings: proof that a new stage plugs in with its
folder and one line in ``INSTALLED_APPS`` (``tests/test_plugins.py``), nothing else."""

from acompana.core.plugins import LifecycleStage, Menu, MenuItem, ProductAppConfig


class SampleStageConfig(ProductAppConfig):
    default = True
    name = "tests.sample_stage"
    label = "sample_stage"
    order = 35
    url_prefix = "etapa-de-prueba/"
    api_prefix = "/etapa-de-prueba"
    permissions = "permissions.PERMISSIONS"
    pending_work = "pending.pending_work"
    demo_loader = "demo.load"
    lifecycle = (
        LifecycleStage(
            "Etapa de prueba",
            "Visitas de una etapa registrada solo en las pruebas.",
            "sample_stage:visit_list",
        ),
    )
    menu = Menu("Etapa de prueba", (MenuItem("Visitas de prueba", "sample_stage:visit_list"),))

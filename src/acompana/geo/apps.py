from django.apps import AppConfig


class GeoConfig(AppConfig):
    """DIVIPOLA reference data: the base every other app may use (it uses none of them, not
    even core, so it is a plain ``AppConfig``: it has no pages, API, menu or demo to plug in)."""

    name = "acompana.geo"
    label = "geo"
    default_auto_field = "django.db.models.BigAutoField"

from acompana.core.permissions import ALL_ROLES

PERMISSIONS = {"sample_stage.view": ALL_ROLES}

"""The explicit actor of writes no person makes (public forms, scheduled jobs, data loads).

Services require ``actor: User``; a write that has no signed-in person behind it passes
``system_actor()``, so the trail says "Sistema Acompaña" on purpose instead of a blank.
The account cannot sign in (inactive, unusable password) and belongs to no organization.
"""

from __future__ import annotations

from acompana.core.models import User

SYSTEM_EMAIL = "sistema@acompana.invalid"
SYSTEM_NAME = "Sistema Acompaña"


def system_actor() -> User:
    user, created = User.objects.get_or_create(
        email=SYSTEM_EMAIL, defaults={"full_name": SYSTEM_NAME, "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system_actor(user: object) -> bool:
    return getattr(user, "email", None) == SYSTEM_EMAIL

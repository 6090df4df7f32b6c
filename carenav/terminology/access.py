"""Who may browse the value sets: staff (admin users) and organization admins."""

from typing import Any

from carenav.accounts.permissions import Permission


def can_browse_valuesets(user: Any) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or user.is_staff or user.has_perm_enum(Permission.CONFIGURE))

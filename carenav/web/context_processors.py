from django.http import HttpRequest

from carenav.web.registry import nav_items


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": [item for item in nav_items() if user.has_perm_enum(item.permission)]}

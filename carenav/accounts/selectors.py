from django.db.models import QuerySet

from carenav.accounts.models import ApiToken, User


def api_token_list_for(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def staff_list_for(user: User) -> QuerySet[User]:
    """Colleagues in the acting user's organization."""
    if user.organization_id is None:
        return User.objects.none()
    return User.objects.filter(organization_id=user.organization_id, is_active=True).order_by(
        "last_name", "first_name"
    )

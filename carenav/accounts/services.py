from django.db import transaction

from carenav.accounts.models import ApiToken, Organization, User
from carenav.audit.services import audit_record
from carenav.core import clock
from carenav.core.errors import NotFound


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    organization: Organization | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    discipline: str = "",
    credentials: list[str] | None = None,
    languages: list[str] | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        organization=organization,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        discipline=discipline,
        credentials=credentials or [],
        languages=languages or ["en"],
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the plain key is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=actor, name=name, key_prefix=key[:10], key_digest=ApiToken.digest(key)
    )
    audit_record(actor=actor, action="api_token.create", object_type="api_token", object_id=token.pk)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("No such active token.")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", object_type="api_token", object_id=token.pk)
    return token


def api_token_authenticate(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_digest=ApiToken.digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

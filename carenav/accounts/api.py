from ninja import Router, Status

from carenav.accounts import selectors, services
from carenav.accounts.permissions import ROLE_PERMISSIONS
from carenav.accounts.schemas import MeOut, TokenCreated, TokenIn, TokenOut
from carenav.core.http import ApiRequest

router = Router(tags=["account"])


@router.get("/me", response=MeOut, summary="Who am I, and what may I do")
def me(request: ApiRequest) -> dict[str, object]:
    user = request.auth
    return {
        "username": user.username,
        "display_name": user.display_name,
        "organization": str(user.organization) if user.organization else None,
        "role": user.role,
        "discipline": user.discipline,
        "credentials": user.credentials,
        "permissions": sorted(ROLE_PERMISSIONS.get(user.role, ())),
    }


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def list_tokens(request: ApiRequest):  # type: ignore[no-untyped-def]
    return selectors.api_token_list_for(request.auth)


@router.post("/tokens", response={201: TokenCreated}, summary="Create an API token (the key is shown once)")
def create_token(request: ApiRequest, payload: TokenIn) -> Status:
    token, key = services.api_token_create(actor=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "key": key})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def revoke_token(request: ApiRequest, token_id: int):  # type: ignore[no-untyped-def]
    return services.api_token_revoke(actor=request.auth, token_id=token_id)

"""API authentication: personal tokens for scripts, the session (with CSRF) for the browser."""

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from carenav.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return api_token_authenticate(token)


class HeaderToken(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return api_token_authenticate(key) if key else None


API_AUTH = [BearerToken(), HeaderToken(), django_auth]

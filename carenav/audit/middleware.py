"""Carries where a request came from, so services can record it without views passing it along."""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    user_agent: str
    path: str
    channel: str


current_request: ContextVar[RequestContext | None] = ContextVar("carenav_request", default=None)


def _channel(path: str) -> str:
    if path.startswith("/api/") or path.startswith("/fhir/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(
            RequestContext(
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                path=request.path[:300],
                channel=_channel(request.path),
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

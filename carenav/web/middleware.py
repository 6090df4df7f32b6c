from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from carenav.core.errors import DomainError, NotFound


class DomainErrorMiddleware:
    """Pages raise domain errors; people see a 404 for anything out of scope and a clear message otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/") or not isinstance(exc, DomainError):
            return None
        if isinstance(exc, NotFound):
            raise Http404(exc.message)
        return render(request, "web/error.html", {"message": exc.message}, status=exc.status_code)

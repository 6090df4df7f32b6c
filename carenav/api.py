"""The JSON API under /api/: one NinjaAPI, one router per domain app."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from carenav.accounts.api import router as accounts_router
from carenav.accounts.auth import API_AUTH
from carenav.assessments.api import router as assessments_router
from carenav.careplans.api import router as careplans_router
from carenav.core.errors import DomainError
from carenav.patients.api import router as patients_router
from carenav.population.api import router as population_router
from carenav.programs.api import router as programs_router

api = NinjaAPI(
    title="carenav API",
    version="1",
    description="Care management data for scripts and integrations. Authenticate with a personal token "
    "(`Authorization: Bearer cn_…`, created at /account/tokens) or, from the browser, your session.",
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status_code)


def _field(loc: tuple[object, ...] | list[object]) -> str:
    """("body", "payload", "goal", "target") → "goal.target": drop where it came from and the parameter name."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in ("query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field(e.get("loc", ())), "message": e["msg"]} for e in exc.errors]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(request, {"detail": summary, "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required: a token or a session."}, status=401
    )


api.add_router("/account", accounts_router)
api.add_router("/", patients_router)
api.add_router("/", assessments_router)
api.add_router("/", population_router)
api.add_router("/programs", programs_router)
api.add_router("/", careplans_router)

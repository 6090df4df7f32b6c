"""FHIR R4 REST endpoints (read, search, Patient/$everything, metadata) under /fhir/.

Plain Django views rather than Ninja: FHIR fixes the media type, the error body (OperationOutcome) and
the search grammar. They parse, call one selector and render, like every other carenav endpoint.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import orjson
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from carenav.accounts.models import User
from carenav.accounts.services import api_token_authenticate
from carenav.core import clock
from carenav.core.errors import NotFound
from carenav.fhirapi.capability import capability_statement
from carenav.fhirapi.search import SearchError
from carenav.fhirapi.selectors import (
    SearchResult,
    patient_everything_for,
    resource_read_for,
    resource_search_for,
)

FHIR_JSON = "application/fhir+json"


def fhir_response(resource: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(resource), status=status, content_type=f"{FHIR_JSON}; charset=utf-8")


def outcome(status: int, code: str, message: str, *, expression: str | None = None) -> HttpResponse:
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": message}
    if expression:
        issue["expression"] = [expression]
    return fhir_response({"resourceType": "OperationOutcome", "issue": [issue]}, status)


def _authenticate(request: HttpRequest) -> User | None:
    """A personal token (Bearer or X-API-Key) when one is sent, otherwise the session."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        return api_token_authenticate(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
    if request.headers.get("X-API-Key"):
        return api_token_authenticate(request.headers["X-API-Key"])
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


View = Callable[..., HttpResponse]


def read_only(view: View) -> View:
    """GET (and HEAD) only; anything else is a 405 OperationOutcome. Exempt from CSRF because nothing
    here changes state, so a client's write is refused as unsupported rather than as a forgery."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = outcome(405, "not-supported", "This FHIR server is read-only (read and search).")
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def fhir_endpoint(view: View) -> View:
    """Authenticate, and turn domain and search errors into OperationOutcomes."""

    @read_only
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = _authenticate(request)
        if user is None:
            response = outcome(401, "login", "Authentication required: a personal token or a session.")
            response["WWW-Authenticate"] = 'Bearer realm="carenav"'
            return response
        try:
            return view(request, user, *args, **kwargs)
        except SearchError as exc:
            return outcome(400, "not-supported", exc.message, expression=exc.param)
        except NotFound as exc:
            return outcome(404, "not-found", exc.message)

    return wrapper


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/").rstrip("/")


@read_only
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(
        capability_statement(
            _base(request), software_version=importlib.metadata.version("carenav"), date=clock.now()
        )
    )


def _bundle(
    request: HttpRequest, resource_type: str, params: list[tuple[str, str]], result: SearchResult
) -> dict[str, Any]:
    base = _base(request)
    criteria = [(k, v) for k, v in params if k not in ("_count", "_offset")]
    query = result.query

    def page(offset: int) -> str:
        return f"{base}/{resource_type}?" + urlencode(
            [*criteria, ("_count", query.count), ("_offset", offset)]
        )

    links = [{"relation": "self", "url": page(query.offset)}]
    if query.count and query.offset + query.count < result.total:
        links.append({"relation": "next", "url": page(query.offset + query.count)})
    if query.count and query.offset > 0:
        links.append({"relation": "previous", "url": page(max(query.offset - query.count, 0))})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": result.total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in result.resources
        ],
    }


@fhir_endpoint
def search(request: HttpRequest, user: User, resource_type: str) -> HttpResponse:
    params = [(k, v) for k in request.GET for v in request.GET.getlist(k)]
    result = resource_search_for(user, resource_type, params)
    bundle = _bundle(request, resource_type, params, result)
    if not bundle["entry"]:
        del bundle["entry"]
    return fhir_response(bundle)


@fhir_endpoint
def read(request: HttpRequest, user: User, resource_type: str, resource_id: str) -> HttpResponse:
    return fhir_response(resource_read_for(user, resource_type, resource_id))


@fhir_endpoint
def everything(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    base = _base(request)
    resources = patient_everything_for(user, resource_id)
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(resources),
            "link": [{"relation": "self", "url": f"{base}/Patient/{resource_id}/$everything"}],
            "entry": [
                {
                    "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in resources
            ],
        }
    )


@fhir_endpoint
def unknown(request: HttpRequest, user: User, path: str) -> HttpResponse:
    return outcome(404, "not-found", f"'{path[:100]}' is not a FHIR interaction this server supports.")

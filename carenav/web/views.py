from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carenav.accounts import selectors, services
from carenav.core.errors import DomainError
from carenav.core.http import AuthedRequest


def home(request: HttpRequest) -> HttpResponse:
    return redirect("patients:list")


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                services.api_token_revoke(actor=request.user, token_id=int(request.POST.get("token_id", 0)))
                messages.success(request, "Token revoked.")
                return redirect("web:tokens")
            name = request.POST.get("name", "").strip()[:80]
            if not name:
                raise DomainError("Give the token a name.", field="name")
            _, new_key = services.api_token_create(actor=request.user, name=name)
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "Invalid request."))
    return render(
        request, "web/tokens.html", {"tokens": selectors.api_token_list_for(request.user), "new_key": new_key}
    )

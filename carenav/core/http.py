"""Request types for views behind login and API endpoints behind authentication."""

from django.http import HttpRequest

from carenav.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request that passed @login_required: `user` is a carenav User."""

    user: User


class ApiRequest(HttpRequest):
    """A Ninja request that passed API authentication: `auth` is the acting User."""

    auth: User

"""Domain errors that views and the API turn into clear 4xx responses."""


class DomainError(Exception):
    """A rule was broken by the request; the message is shown to the person."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409

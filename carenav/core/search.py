"""Index-friendly prefix search on the folded (lower-case, accent-free) name columns."""

from django.db import connection
from django.db.models import Q

_TOP = "\U0010ffff"


def prefix(field: str, term: str) -> Q:
    """`field` starts with `term`.

    SQLite cannot use a B-tree index for LIKE on a BINARY column (LIKE is case-insensitive there), but
    it can for a range, and BINARY order is exact byte order. PostgreSQL uses LIKE 'term%' with the
    varchar_pattern_ops indexes of patients migration 0002.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": term, f"{field}__lt": term + _TOP})
    return Q(**{f"{field}__startswith": term})

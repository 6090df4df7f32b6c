"""One clock for the whole application, so tests can pin "now" (DESIGN.md convention 9)."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_pinned: dt.datetime | None = None


def now() -> dt.datetime:
    return _pinned if _pinned is not None else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextmanager
def pinned(at: dt.datetime) -> Iterator[dt.datetime]:
    """Pin the clock (timezone-aware datetime) for the duration of the block."""
    global _pinned
    previous, _pinned = _pinned, at
    try:
        yield at
    finally:
        _pinned = previous

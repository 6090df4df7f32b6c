"""Garbage-collector settings for bulk work (imports, stratification runs)."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Bulk work allocates millions of short-lived acyclic dicts and lists that reference counting
    frees; the cyclic collector would rescan every long-lived object (Django, validators, value sets)
    again and again. Freeze those and collect young objects less often, then restore both."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()

"""fewer_collections: bulk work runs with long-lived objects frozen and rarer collections, then
everything is as it was, also after an error."""

import gc

import pytest

from carenav.core.collector import fewer_collections


def test_settings_change_inside_and_are_restored_after() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] > before[0]
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_settings_are_restored_after_an_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0

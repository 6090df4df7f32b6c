"""The versioned priority configuration: shape checks, component points and tier cut-offs."""

import json
from pathlib import Path
from typing import Any

import pytest

from carenav.analytics.config import DEFAULT_CONFIG, ConfigError, load_config


def test_default_configuration_loads() -> None:
    config = load_config()
    assert config.label == "priority-v1"
    assert config.lace_charlson_weights == "charlson1987"
    assert (config.windows.short_days, config.windows.long_days) == (182, 365)
    assert [t.tier for t in config.tiers] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("priority", "tier"), [(0, 4), (4.99, 4), (5, 3), (9.99, 3), (10, 2), (18, 1), (40, 1)]
)
def test_tier_cut_offs(priority: float, tier: int) -> None:
    assert load_config().tier_for(priority).tier == tier


def test_component_points_cap_and_bands() -> None:
    components = {c.feature: c for c in load_config().components}
    assert components["chronic_count"].points(3) == 3
    assert components["chronic_count"].points(9) == 6  # capped
    assert components["lace"].points(None) == 0
    assert [components["lace"].points(v) for v in (4, 5, 9, 10, 19)] == [0, 2, 2, 5, 5]
    assert [components["age"].points(v) for v in (64, 65, 75, 85)] == [0, 1, 2, 3]
    assert components["cost_12m"].points(25_000) == pytest.approx(2.5)


def _write(tmp_path: Path, change: dict[str, Any]) -> Path:
    doc = json.loads(DEFAULT_CONFIG.read_text()) | change
    path = tmp_path / "priority-test.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"components": [{"feature": "shoe_size", "points_per_unit": 1}]}, "unknown feature"),
        ({"components": [{"feature": "age"}]}, "either points_per_unit or bands"),
        ({"lace_charlson_weights": "elixhauser"}, "lace_charlson_weights"),
        ({"tiers": [{"tier": 1, "min_priority": 5}]}, "lowest tier must start at 0"),
        ({"windows": {"short_days": 0}}, "windows"),
    ],
)
def test_broken_configurations_are_refused(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, change))

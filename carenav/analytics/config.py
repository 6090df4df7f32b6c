"""The versioned priority configuration: component weights, windows and tier cut-offs (data, not code)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_DIR = Path(__file__).resolve().parent / "config"
DEFAULT_CONFIG = CONFIG_DIR / "priority-v1.json"

# Patient features a component may weigh; the pipeline computes exactly these.
FEATURES = frozenset(
    {
        "chronic_count",
        "charlson_1987",
        "charlson_quan2011",
        "charlson_age_adjusted",
        "ip_6m",
        "ip_12m",
        "ed_6m",
        "ed_12m",
        "readmissions_30d",
        "lace",
        "hospital_score",
        "behavioral",
        "substance_use",
        "social_needs",
        "frailty_markers",
        "no_caregiver",
        "age",
        "cost_12m",
    }
)
WEIGHT_SETS = ("charlson1987", "quan2011")


class ConfigError(ValueError):
    """The priority configuration file breaks its schema."""


@dataclass(frozen=True)
class Component:
    feature: str
    label: str
    points_per_unit: float | None
    max_points: float | None
    bands: tuple[tuple[float, float], ...]  # (min value, points), highest first

    def points(self, value: float | None) -> float:
        if value is None:
            return 0.0
        if self.bands:
            for minimum, points in self.bands:
                if value >= minimum:
                    return points
            return 0.0
        points = value * (self.points_per_unit or 0.0)
        return min(points, self.max_points) if self.max_points is not None else points


@dataclass(frozen=True)
class Tier:
    tier: int
    min_priority: float
    label: str


@dataclass(frozen=True)
class Windows:
    short_days: int
    long_days: int
    recent_discharge_days: int
    readmission_days: int


@dataclass(frozen=True)
class PriorityConfig:
    version: str
    title: str
    windows: Windows
    lace_charlson_weights: str
    components: tuple[Component, ...]
    tiers: tuple[Tier, ...]  # by min_priority, highest first

    @property
    def label(self) -> str:
        return f"priority-v{self.version}"

    def tier_for(self, priority: float) -> Tier:
        for tier in self.tiers:
            if priority >= tier.min_priority:
                return tier
        return self.tiers[-1]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _component(raw: Any, index: int) -> Component:
    _require(isinstance(raw, dict), f"components[{index}] must be an object")
    feature = raw.get("feature")
    _require(feature in FEATURES, f"components[{index}]: unknown feature {feature!r}")
    bands = raw.get("bands", [])
    per_unit = raw.get("points_per_unit")
    _require(bool(bands) != (per_unit is not None), f"{feature}: give either points_per_unit or bands")
    _require(per_unit is None or _number(per_unit), f"{feature}: points_per_unit must be a number")
    max_points = raw.get("max_points")
    _require(max_points is None or _number(max_points), f"{feature}: max_points must be a number")
    parsed = []
    for band in bands:
        _require(
            isinstance(band, dict) and _number(band.get("min")) and _number(band.get("points")),
            f"{feature}: each band needs numeric min and points",
        )
        _require(band["min"] > 0, f"{feature}: a band's min must be above 0 (a zero feature scores nothing)")
        parsed.append((float(band["min"]), float(band["points"])))
    parsed.sort(reverse=True)
    return Component(
        feature=feature,
        label=str(raw.get("label") or feature),
        points_per_unit=float(per_unit) if per_unit is not None else None,
        max_points=float(max_points) if max_points is not None else None,
        bands=tuple(parsed),
    )


def load_config(path: Path | str = DEFAULT_CONFIG) -> PriorityConfig:
    """Read and validate a priority configuration file."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as JSON: {exc}") from exc
    _require(isinstance(doc, dict) and isinstance(doc.get("version"), str), f"{path}: needs a version")
    windows = doc.get("windows", {})
    names = ("short_days", "long_days", "recent_discharge_days", "readmission_days")
    _require(
        isinstance(windows, dict) and all(isinstance(windows.get(n), int) and windows[n] > 0 for n in names),
        f"{path}: windows needs positive integers {', '.join(names)}",
    )
    weights = doc.get("lace_charlson_weights")
    _require(weights in WEIGHT_SETS, f"{path}: lace_charlson_weights must be one of {WEIGHT_SETS}")
    components = tuple(_component(raw, i) for i, raw in enumerate(doc.get("components", [])))
    _require(bool(components), f"{path}: components must not be empty")
    tiers = []
    for raw in doc.get("tiers", []):
        _require(
            isinstance(raw, dict) and isinstance(raw.get("tier"), int) and _number(raw.get("min_priority")),
            f"{path}: each tier needs an integer tier and a numeric min_priority",
        )
        tiers.append(Tier(raw["tier"], float(raw["min_priority"]), str(raw.get("label", ""))))
    tiers.sort(key=lambda t: -t.min_priority)
    _require(bool(tiers) and tiers[-1].min_priority <= 0, f"{path}: the lowest tier must start at 0")
    _require(
        [t.tier for t in tiers] == sorted(t.tier for t in tiers),
        f"{path}: tier 1 must have the highest min_priority",
    )
    return PriorityConfig(
        version=doc["version"],
        title=str(doc.get("title", "")),
        windows=Windows(**{n: windows[n] for n in names}),
        lace_charlson_weights=weights,
        components=components,
        tiers=tuple(tiers),
    )

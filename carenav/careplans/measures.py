"""Goal measures: the catalog of LOINC-coded (and local) observations a goal can be measured by.

Django-free. The catalog is versioned data (library/measures.json); this module only looks measures up and
checks and converts units, so a target of the wrong unit is refused with a message naming both units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
LIBRARY_DIR = Path(__file__).parent / "library"


class UnitError(ValueError):
    """A value was given in a unit the measure cannot take."""


@dataclass(frozen=True)
class AltUnit:
    unit: str
    label: str
    factor: float


@dataclass(frozen=True)
class Measure:
    system: str
    code: str
    display: str
    unit: str
    unit_label: str
    short: dict[str, str] = field(default_factory=dict)
    better: str | None = None
    min: float | None = None
    max: float | None = None
    decimals: int | None = 1  # None: as entered
    alt_units: tuple[AltUnit, ...] = ()

    def label(self, lang: str = "en") -> str:
        return self.short.get(lang) or self.short.get("en") or self.display

    def accepted_units(self) -> list[str]:
        return [self.unit, *(a.unit for a in self.alt_units)]

    def to_canonical(self, value: float, unit: str | None) -> float:
        """Convert ``value`` given in ``unit`` to this measure's unit; an empty unit means the canonical one."""
        if not unit or unit == self.unit or unit == self.unit_label:
            return value
        for alt in self.alt_units:
            if unit in (alt.unit, alt.label):
                return round(value * alt.factor, 6)
        raise UnitError(
            f"{self.label()} is measured in {self.unit_label}"
            + (f" (or {', '.join(a.label for a in self.alt_units)})" if self.alt_units else "")
            + f", not {unit}."
        )

    def check_plausible(self, value: float) -> None:
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ValueError(
                f"{value:g} {self.unit_label} is outside the plausible range for {self.label()} "
                f"({self.min:g}–{self.max:g} {self.unit_label})."
            )

    def number(self, value: float) -> str:
        if self.decimals is None:
            return f"{value:g}"
        return f"{value:.{self.decimals}f}" if self.decimals else f"{round(value):d}"

    def format(self, value: float | None) -> str:
        return "—" if value is None else f"{self.number(value)} {self.unit_label}"


@dataclass(frozen=True)
class Catalog:
    version: str
    custom_system: str
    measures: tuple[Measure, ...]

    def get(self, system: str, code: str) -> Measure | None:
        for m in self.measures:
            if m.system == system and m.code == code:
                return m
        return None

    def by_code(self, code: str) -> Measure | None:
        """Look a measure up by code alone (codes do not collide across the catalog's systems)."""
        for m in self.measures:
            if m.code == code:
                return m
        return None


def _measure(raw: dict) -> Measure:
    return Measure(
        system=raw.get("system", LOINC),
        code=raw["code"],
        display=raw["display"],
        unit=raw["unit"],
        unit_label=raw.get("unit_label", raw["unit"]),
        short=raw.get("short", {}),
        better=raw.get("better"),
        min=raw.get("min"),
        max=raw.get("max"),
        decimals=raw.get("decimals", 1),
        alt_units=tuple(AltUnit(**a) for a in raw.get("alt_units", [])),
    )


@cache
def catalog() -> Catalog:
    data = json.loads((LIBRARY_DIR / "measures.json").read_text(encoding="utf-8"))
    measures = tuple(_measure(m) for m in data["measures"])
    codes = [m.code for m in measures]
    if len(set(codes)) != len(codes):
        raise ValueError("measures.json: duplicate measure code")
    return Catalog(version=data["version"], custom_system=data["custom_system"], measures=measures)


def custom_measure(code: str, display: str, unit: str, system: str | None = None) -> Measure:
    """A measure outside the catalog (e.g. 'walks per week', or another LOINC code): any non-empty unit."""
    if not display.strip() or not unit.strip():
        raise ValueError("A measure outside the catalog needs a name and a unit.")
    return Measure(
        system=system or catalog().custom_system,
        code=code,
        display=display.strip(),
        unit=unit.strip(),
        unit_label=unit.strip(),
        short={"en": display.strip()},
        decimals=None,
    )


def resolve(system: str, code: str, display: str = "", unit: str = "") -> Measure:
    """The catalog measure for (system, code), or one built from display and unit when it is not listed."""
    known = catalog().get(system, code)
    if known is not None:
        return known
    return custom_measure(code, display or code, unit, system=system)

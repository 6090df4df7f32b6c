"""Goal achievement status, computed from the target, the baseline, the measurements and the due date.

Django-free and clock-free: the caller passes ``today``. The five statuses are FHIR goal-achievement codes:

1. the latest measurement meets the target          -> achieved
2. otherwise, the due date has passed                -> not-achieved
3. otherwise, no measurement yet                     -> in-progress
4. otherwise the latest measurement is compared with the one before it (or with the baseline when it is the
   first): closer to the target -> improving, further -> worsening, same distance -> in-progress.

A milestone goal (no numeric measure, e.g. "enrolled in SNAP") is achieved when the caller says it is done
(its interventions are completed). A care manager may override the computed status with a reason; the
override holds until a newer measurement arrives (``effective_status``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

EPS = 1e-9


def _n(value: float | None) -> float:
    """A target number that validate() guarantees is present."""
    if value is None:
        raise TargetError("target_value", "The target is incomplete.")
    return float(value)


class Status(StrEnum):
    IN_PROGRESS = "in-progress"
    IMPROVING = "improving"
    WORSENING = "worsening"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not-achieved"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class TargetKind(StrEnum):
    VALUE = "value"
    RANGE = "range"
    DIRECTION = "direction"
    MILESTONE = "milestone"


COMPARATORS = ("<", "<=", ">", ">=", "=")
COMPARATOR_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "=": "equal to"}


class TargetError(ValueError):
    """A target is incomplete or inconsistent; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    comparator: str | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    direction: str | None = None  # "decrease" | "increase"
    change: float | None = None  # absolute change required, in the measure's unit
    change_pct: float | None = None  # relative change required, percent of baseline

    def validate(self) -> None:
        """Shape check: every kind has the fields it needs."""
        if self.kind == TargetKind.VALUE:
            if self.comparator not in COMPARATORS:
                raise TargetError(
                    "target_comparator", "Choose how the value compares to the target (<, ≤, >, ≥, =)."
                )
            if self.value is None:
                raise TargetError("target_value", "Enter the target value.")
        elif self.kind == TargetKind.RANGE:
            if self.low is None or self.high is None:
                raise TargetError(
                    "target_low" if self.low is None else "target_high", "Enter both ends of the range."
                )
            if self.low > self.high:
                raise TargetError("target_high", "The top of the range must not be below the bottom.")
        elif self.kind == TargetKind.DIRECTION:
            if self.direction not in ("decrease", "increase"):
                raise TargetError("target_direction", "Choose decrease or increase.")
            if self.change is not None and self.change <= 0:
                raise TargetError("target_change", "The change must be a positive amount.")
            if self.change_pct is not None and not 0 < self.change_pct <= 100:
                raise TargetError("target_change_pct", "The percent change must be between 0 and 100.")
            if self.change is not None and self.change_pct is not None:
                raise TargetError("target_change_pct", "Give the change as an amount or a percent, not both.")

    @property
    def is_measured(self) -> bool:
        return self.kind != TargetKind.MILESTONE

    def threshold(self, baseline: float | None) -> float | None:
        """For a direction target, the value that counts as reaching it (needs a baseline)."""
        if self.kind != TargetKind.DIRECTION or baseline is None:
            return None
        sign = -1 if self.direction == "decrease" else 1
        if self.change is not None:
            return baseline + sign * self.change
        if self.change_pct is not None:
            return baseline + sign * abs(baseline) * self.change_pct / 100
        return baseline

    def met(self, x: float, baseline: float | None) -> bool:
        if self.kind == TargetKind.VALUE:
            v = _n(self.value)
            return {
                "<": x < v - EPS,
                "<=": x <= v + EPS,
                ">": x > v + EPS,
                ">=": x >= v - EPS,
                "=": abs(x - v) <= EPS,
            }[self.comparator or "="]
        if self.kind == TargetKind.RANGE:
            return _n(self.low) - EPS <= x <= _n(self.high) + EPS
        if self.kind == TargetKind.DIRECTION:
            t = self.threshold(baseline)
            if t is None:
                return False
            strict = self.change is None and self.change_pct is None
            if self.direction == "decrease":
                return x < t - EPS if strict else x <= t + EPS
            return x > t + EPS if strict else x >= t - EPS
        return False

    def distance(self, x: float, baseline: float | None) -> float | None:
        """How far ``x`` is from meeting the target (0 when met); None when it cannot be told."""
        if self.kind == TargetKind.VALUE:
            v = _n(self.value)
            if self.comparator in ("<", "<="):
                return max(0.0, x - v)
            if self.comparator in (">", ">="):
                return max(0.0, v - x)
            return abs(x - v)
        if self.kind == TargetKind.RANGE:
            return max(0.0, _n(self.low) - x, x - _n(self.high))
        if self.kind == TargetKind.DIRECTION:
            t = self.threshold(baseline)
            if t is None:
                return None
            return max(0.0, x - t) if self.direction == "decrease" else max(0.0, t - x)
        return None

    def describe(self, fmt=lambda v: f"{v:g}", baseline: float | None = None) -> str:
        """Plain English, e.g. 'below 7.0 %', 'between 4.0 and 6.0 kg', 'decrease by 50% (to 9 points or less)'."""
        if self.kind == TargetKind.VALUE:
            return f"{COMPARATOR_WORDS[self.comparator or '=']} {fmt(self.value)}"
        if self.kind == TargetKind.RANGE:
            return f"between {fmt(self.low)} and {fmt(self.high)}"
        if self.kind == TargetKind.DIRECTION:
            amount = (
                f" by {fmt(self.change)}"
                if self.change is not None
                else f" by {self.change_pct:g}%"
                if self.change_pct is not None
                else ""
            )
            text = f"{self.direction}{amount} from baseline"
            t = self.threshold(baseline)
            if t is not None and (self.change is not None or self.change_pct is not None):
                text += f" (to {fmt(t)} or {'less' if self.direction == 'decrease' else 'more'})"
            return text
        return "done"


@dataclass(frozen=True)
class Measurement:
    on: date
    value: float
    source: str = ""  # "observation" (imported) or "entered"


@dataclass(frozen=True)
class StatusResult:
    status: Status
    reason: str
    latest: Measurement | None = None


@dataclass(frozen=True)
class Override:
    status: Status
    reason: str
    on: date


def compute_status(
    *,
    target: Target,
    measurements: Sequence[Measurement],
    today: date,
    due_date: date | None = None,
    baseline: float | None = None,
    milestone_done: bool = False,
    fmt=lambda v: f"{v:g}",
) -> StatusResult:
    """The achievement status of one goal on ``today``. ``fmt`` formats a value with its unit for the reason."""
    overdue = due_date is not None and today > due_date
    if target.kind == TargetKind.MILESTONE:
        if milestone_done:
            return StatusResult(Status.ACHIEVED, "All the steps for this goal are done.")
        if overdue:
            return StatusResult(
                Status.NOT_ACHIEVED, f"Due {due_date:%Y-%m-%d} and its steps are not all done."
            )
        return StatusResult(Status.IN_PROGRESS, "Achieved when all the steps for this goal are done.")

    series = sorted(measurements, key=lambda m: m.on)
    if baseline is None and target.kind == TargetKind.DIRECTION and series:
        baseline = series[0].value
        series = series[1:]
    target_text = target.describe(fmt, baseline)
    if not series:
        if overdue:
            return StatusResult(Status.NOT_ACHIEVED, f"Due {due_date:%Y-%m-%d} with no measurement recorded.")
        return StatusResult(Status.IN_PROGRESS, f"No measurement yet; target {target_text}.")

    latest = series[-1]
    latest_text = f"latest {fmt(latest.value)} on {latest.on:%Y-%m-%d}"
    if target.met(latest.value, baseline):
        return StatusResult(Status.ACHIEVED, f"The {latest_text} meets the target {target_text}.", latest)
    if overdue:
        return StatusResult(
            Status.NOT_ACHIEVED,
            f"Due {due_date:%Y-%m-%d}; the {latest_text} does not meet the target {target_text}.",
            latest,
        )
    if len(series) >= 2:
        ref_value, ref_text = series[-2].value, f"{fmt(series[-2].value)} on {series[-2].on:%Y-%m-%d}"
    elif baseline is not None:
        ref_value, ref_text = baseline, f"the baseline {fmt(baseline)}"
    else:
        return StatusResult(
            Status.IN_PROGRESS, f"First measurement ({latest_text}); target {target_text}.", latest
        )
    d_latest, d_ref = target.distance(latest.value, baseline), target.distance(ref_value, baseline)
    if d_latest is None or d_ref is None or abs(d_latest - d_ref) <= EPS:
        return StatusResult(
            Status.IN_PROGRESS,
            f"No change towards the target {target_text}: {latest_text}, was {ref_text}.",
            latest,
        )
    if d_latest < d_ref:
        return StatusResult(
            Status.IMPROVING, f"Closer to the target {target_text}: {latest_text}, was {ref_text}.", latest
        )
    return StatusResult(
        Status.WORSENING, f"Further from the target {target_text}: {latest_text}, was {ref_text}.", latest
    )


def effective_status(computed: StatusResult, override: Override | None) -> tuple[Status, str, bool]:
    """(status, reason, overridden): a manual status holds until a measurement newer than it arrives."""
    if override is None:
        return computed.status, computed.reason, False
    if computed.latest is not None and computed.latest.on > override.on:
        return computed.status, computed.reason, False
    return override.status, override.reason, True

"""Goal achievement status with a pinned clock: every rule, each target kind, and overrides."""

from datetime import date

import pytest

from carenav.careplans.goal_status import (
    Measurement,
    Override,
    Status,
    Target,
    TargetError,
    TargetKind,
    compute_status,
    effective_status,
)

TODAY = date(2026, 11, 24)
DUE = date(2027, 2, 1)
HBA1C_BELOW_7 = Target(TargetKind.VALUE, comparator="<", value=7.0)


def m(day: str, value: float, source: str = "observation") -> Measurement:
    return Measurement(date.fromisoformat(day), value, source)


def status(target: Target, points: list[Measurement], **kw) -> Status:
    return compute_status(target=target, measurements=points, today=kw.pop("today", TODAY), **kw).status


def test_no_measurement_is_in_progress_until_due_then_not_achieved() -> None:
    assert status(HBA1C_BELOW_7, [], due_date=DUE) == Status.IN_PROGRESS
    result = compute_status(target=HBA1C_BELOW_7, measurements=[], today=date(2027, 2, 2), due_date=DUE)
    assert result.status == Status.NOT_ACHIEVED
    assert "no measurement" in result.reason


def test_latest_meeting_target_is_achieved_even_after_due_date() -> None:
    points = [m("2026-09-01", 8.2), m("2026-12-01", 6.9)]
    assert status(HBA1C_BELOW_7, points, due_date=DUE, today=date(2027, 6, 1)) == Status.ACHIEVED


def test_strict_comparator_boundary() -> None:
    assert status(HBA1C_BELOW_7, [m("2026-11-01", 7.0)], baseline=8.0, due_date=DUE) == Status.IMPROVING
    at_most = Target(TargetKind.VALUE, comparator="<=", value=7.0)
    assert status(at_most, [m("2026-11-01", 7.0)], due_date=DUE) == Status.ACHIEVED


def test_trend_compares_latest_with_previous_measurement() -> None:
    improving = compute_status(
        target=HBA1C_BELOW_7,
        measurements=[m("2026-08-01", 8.4), m("2026-11-01", 7.6)],
        today=TODAY,
        due_date=DUE,
    )
    assert improving.status == Status.IMPROVING
    assert "7.6" in improving.reason and "8.4" in improving.reason
    assert (
        status(HBA1C_BELOW_7, [m("2026-11-01", 7.6), m("2026-08-01", 8.4)], due_date=DUE) == Status.IMPROVING
    )
    assert (
        status(HBA1C_BELOW_7, [m("2026-08-01", 7.6), m("2026-11-01", 8.4)], due_date=DUE) == Status.WORSENING
    )
    same = compute_status(
        target=HBA1C_BELOW_7,
        measurements=[m("2026-08-01", 7.6), m("2026-11-01", 7.6)],
        today=TODAY,
        due_date=DUE,
    )
    assert same.status == Status.IN_PROGRESS and "No change" in same.reason


def test_first_measurement_compares_with_baseline_or_waits() -> None:
    assert status(HBA1C_BELOW_7, [m("2026-11-01", 7.8)], baseline=8.4, due_date=DUE) == Status.IMPROVING
    assert status(HBA1C_BELOW_7, [m("2026-11-01", 8.8)], baseline=8.4, due_date=DUE) == Status.WORSENING
    assert status(HBA1C_BELOW_7, [m("2026-11-01", 7.8)], due_date=DUE) == Status.IN_PROGRESS


def test_overdue_and_unmet_is_not_achieved_whatever_the_trend() -> None:
    points = [m("2026-08-01", 8.4), m("2026-11-01", 7.6)]
    assert status(HBA1C_BELOW_7, points, due_date=date(2026, 11, 23)) == Status.NOT_ACHIEVED
    assert status(HBA1C_BELOW_7, points, due_date=TODAY) == Status.IMPROVING  # due today is not overdue


def test_at_least_and_range_targets() -> None:
    spo2 = Target(TargetKind.VALUE, comparator=">=", value=92)
    assert status(spo2, [m("2026-11-01", 89), m("2026-11-20", 91)], due_date=DUE) == Status.IMPROVING
    assert status(spo2, [m("2026-11-20", 92)], due_date=DUE) == Status.ACHIEVED
    weight = Target(TargetKind.RANGE, low=70, high=75)
    assert status(weight, [m("2026-11-01", 78), m("2026-11-20", 76)], due_date=DUE) == Status.IMPROVING
    assert status(weight, [m("2026-11-01", 74), m("2026-11-20", 69)], due_date=DUE) == Status.WORSENING
    assert status(weight, [m("2026-11-20", 75)], due_date=DUE) == Status.ACHIEVED


def test_phq9_response_is_a_fifty_percent_drop_from_baseline() -> None:
    response = Target(TargetKind.DIRECTION, direction="decrease", change_pct=50)
    assert response.threshold(18) == 9
    assert status(response, [m("2026-11-01", 12)], baseline=18, due_date=DUE) == Status.IMPROVING
    assert (
        status(response, [m("2026-11-01", 12), m("2026-11-20", 9)], baseline=18, due_date=DUE)
        == Status.ACHIEVED
    )
    # Without a stored baseline the first measurement is the baseline.
    assert status(response, [m("2026-10-01", 18), m("2026-11-20", 10)], due_date=DUE) == Status.IMPROVING
    assert status(response, [m("2026-10-01", 18), m("2026-11-20", 8)], due_date=DUE) == Status.ACHIEVED


def test_direction_without_amount_is_met_by_any_improvement() -> None:
    lower = Target(TargetKind.DIRECTION, direction="decrease")
    assert status(lower, [m("2026-11-01", 99)], baseline=100, due_date=DUE) == Status.ACHIEVED
    assert status(lower, [m("2026-11-01", 100)], baseline=100, due_date=DUE) == Status.IN_PROGRESS
    assert status(lower, [m("2026-11-01", 101)], baseline=100, due_date=DUE) == Status.WORSENING
    absolute = Target(TargetKind.DIRECTION, direction="increase", change=5)
    assert status(absolute, [m("2026-11-01", 44)], baseline=40, due_date=DUE) == Status.IMPROVING
    assert status(absolute, [m("2026-11-02", 45)], baseline=40, due_date=DUE) == Status.ACHIEVED


def test_milestone_follows_its_steps() -> None:
    done = Target(TargetKind.MILESTONE)
    assert status(done, [], due_date=DUE, milestone_done=True) == Status.ACHIEVED
    assert status(done, [], due_date=DUE) == Status.IN_PROGRESS
    assert status(done, [], due_date=date(2026, 11, 1)) == Status.NOT_ACHIEVED


def test_override_holds_until_a_newer_measurement() -> None:
    computed = compute_status(
        target=HBA1C_BELOW_7, measurements=[m("2026-11-01", 7.6)], baseline=8.4, today=TODAY, due_date=DUE
    )
    override = Override(Status.ACHIEVED, "PCP agrees 7.6% is right for her", date(2026, 11, 10))
    assert effective_status(computed, override) == (Status.ACHIEVED, "PCP agrees 7.6% is right for her", True)
    newer = compute_status(
        target=HBA1C_BELOW_7,
        measurements=[m("2026-11-01", 7.6), m("2026-11-20", 7.9)],
        today=TODAY,
        due_date=DUE,
    )
    assert effective_status(newer, override)[0] == Status.WORSENING
    assert effective_status(newer, None)[2] is False


@pytest.mark.parametrize(
    ("target", "field"),
    [
        (Target(TargetKind.VALUE, value=7.0), "target_comparator"),
        (Target(TargetKind.VALUE, comparator="<"), "target_value"),
        (Target(TargetKind.RANGE, low=5), "target_high"),
        (Target(TargetKind.RANGE, low=5, high=4), "target_high"),
        (Target(TargetKind.DIRECTION), "target_direction"),
        (Target(TargetKind.DIRECTION, direction="decrease", change_pct=150), "target_change_pct"),
        (Target(TargetKind.DIRECTION, direction="decrease", change=-1), "target_change"),
    ],
)
def test_incomplete_targets_name_the_field(target: Target, field: str) -> None:
    with pytest.raises(TargetError) as err:
        target.validate()
    assert err.value.field == field


def test_describe() -> None:
    assert HBA1C_BELOW_7.describe() == "below 7"
    response = Target(TargetKind.DIRECTION, direction="decrease", change_pct=50)
    assert response.describe(baseline=18) == "decrease by 50% from baseline (to 9 or less)"
    assert Target(TargetKind.RANGE, low=1, high=2).describe(lambda v: f"{v:g} kg") == "between 1 kg and 2 kg"

"""Goal chart SVG: points, target zone, due date; escaped text; accessible summary."""

from datetime import date
from xml.etree import ElementTree

from carenav.careplans.charts import goal_chart, nice_ticks
from carenav.careplans.goal_status import Measurement, Target, TargetKind

SVG = "{http://www.w3.org/2000/svg}"


def chart(**kw) -> ElementTree.Element:
    args = dict(
        points=[
            Measurement(date(2026, 9, 1), 8.4, "observation"),
            Measurement(date(2026, 11, 20), 7.6, "entered"),
        ],
        target=Target(TargetKind.VALUE, comparator="<", value=7.0),
        baseline=8.4,
        start=date(2026, 9, 1),
        due=date(2027, 3, 1),
        today=date(2026, 11, 24),
        unit="%",
        title="HbA1c <below> & beyond",
    )
    args.update(kw)
    return ElementTree.fromstring(goal_chart(**args))


def test_points_zone_and_labels() -> None:
    root = chart()
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == 2
    assert circles[1].get("fill") == "#fff"  # entered value: hollow
    assert root.find(f"{SVG}rect").find(f"{SVG}title").text == "target zone"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "due Mar 01" in texts and "target below 7" in texts and "7.6" in texts
    assert root.find(f"{SVG}title").text == "HbA1c <below> & beyond"
    assert "2026-11-20 7.6 %" in root.get("aria-label")


def test_empty_chart_and_direction_target() -> None:
    root = chart(
        points=[], target=Target(TargetKind.DIRECTION, direction="decrease", change_pct=50), baseline=18
    )
    assert root.findall(f"{SVG}circle") == []
    assert "no measurements yet" in root.find(f"{SVG}desc").text
    assert "target 9" in [t.text for t in root.iter(f"{SVG}text")]


def test_nice_ticks() -> None:
    assert nice_ticks(6.5, 8.9) == [6.0, 7.0, 8.0, 9.0]
    assert nice_ticks(6.9, 8.1) == [6.5, 7.0, 7.5, 8.0, 8.5]
    assert nice_ticks(0, 27)[0] == 0 and nice_ticks(0, 27)[-1] >= 27

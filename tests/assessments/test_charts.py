"""The server-side SVG trend chart."""

import datetime as dt
import re

from carenav.assessments.charts import Point, trend_svg
from carenav.assessments.definitions import Band


def day(n: int) -> dt.datetime:
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=30 * n)


def test_points_are_placed_by_value_and_spoken_in_the_label() -> None:
    svg = trend_svg(
        [Point(day(0), 14), Point(day(1), 9), Point(day(2), 5)],
        title="PHQ-9 total score",
        y_min=0,
        y_max=27,
        bands=[
            Band(0, 4, "minimal", "Minimal"),
            Band(5, 9, "mild", "Mild"),
            Band(10, 27, "high", "10 or more"),
        ],
    )
    assert 'aria-label="PHQ-9 total score: 14 on 2026-01-01, 9 on 2026-01-31, 5 on 2026-03-02"' in svg
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[0] < ys[1] < ys[2]  # higher scores are drawn higher (smaller y)
    assert svg.count("<rect") == 3 and "<polyline" in svg
    assert [t for t in re.findall(r'class="point-value">(\d+)<', svg)] == ["14", "9", "5"]


def test_one_point_and_escaping() -> None:
    svg = trend_svg([Point(day(0), 3, "a <b> label")], title="Score & more", y_min=0, y_max=6)
    assert "<polyline" not in svg and svg.count("<circle") == 1
    assert "a &lt;b&gt; label" in svg and 'aria-label="Score &amp; more: 3 on 2026-01-01"' in svg

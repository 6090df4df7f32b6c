"""Server-rendered inline SVG trend charts (no client-side code, no CDN)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from carenav.assessments.definitions import Band

BAND_FILLS = ("#e6f4ea", "#f3f8e6", "#fff4de", "#fde9dc", "#fde8e6")


@dataclass(frozen=True)
class Point:
    when: dt.datetime
    value: float
    label: str = ""


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def trend_svg(
    points: Sequence[Point],
    *,
    title: str,
    y_min: float,
    y_max: float,
    bands: Sequence[Band] = (),
    width: int = 340,
    height: int = 130,
) -> str:
    """An SVG line chart of the values in time order with the instrument's bands shaded behind.

    The aria-label reads the whole series ("PHQ-9 total score: 14 on 2026-03-02, 9 on ..."), so the
    chart is not only visual.
    """
    left, right, top, bottom = 30, 12, 10, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (y_max - y_min) or 1.0

    def y(value: float) -> float:
        return top + plot_h * (1 - (min(max(value, y_min), y_max) - y_min) / span)

    n = len(points)

    def x(index: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * index / (n - 1))

    spoken = ", ".join(f"{_fmt(p.value)} on {p.when:%Y-%m-%d}" for p in points)
    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}: {escape(spoken)}">'
    ]
    for index, band in enumerate(bands):
        band_top, band_bottom = (
            y(band.max + 0.5 if band.max < y_max else y_max),
            y(max(band.min - 0.5, y_min)),
        )
        fill = BAND_FILLS[min(index, len(BAND_FILLS) - 1)]
        parts.append(
            f'<rect x="{left}" y="{band_top:.1f}" width="{plot_w}" height="{band_bottom - band_top:.1f}" '
            f'fill="{fill}"><title>{escape(band.label)} ({_fmt(band.min)}-{_fmt(band.max)})</title></rect>'
        )
    for tick in (y_min, y_max):
        parts.append(
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="10" fill="#5d6b7a">'
            f"{_fmt(tick)}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#b8c3cf"/>'
    )
    if n > 1:
        path = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
    for i, p in enumerate(points):
        tip = f"{_fmt(p.value)} on {p.when:%Y-%m-%d}" + (f" ({p.label})" if p.label else "")
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="4" fill="#1f6feb"><title>{escape(tip)}</title></circle>'
            f'<text x="{x(i):.1f}" y="{y(p.value) - 7:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#1d2733" class="point-value">{_fmt(p.value)}</text>'
        )
    if points:
        parts.append(
            f'<text x="{left}" y="{height - 6}" font-size="10" fill="#5d6b7a">{points[0].when:%Y-%m-%d}</text>'
        )
        if n > 1:
            parts.append(
                f'<text x="{left + plot_w}" y="{height - 6}" text-anchor="end" font-size="10" fill="#5d6b7a">'
                f"{points[-1].when:%Y-%m-%d}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)

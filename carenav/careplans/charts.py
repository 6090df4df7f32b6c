"""Goal progress chart: a server-rendered inline SVG (no JavaScript, no CDN).

Django-free. Plots the measurements over time against the target (shaded zone or line), the baseline and the
due date. Imported observations are filled dots, values entered by the care team are hollow dots. A text
summary goes in <title>/<desc> for screen readers; the page also lists the values in a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from carenav.careplans.goal_status import Measurement, Target, TargetKind

W, H = 560, 210
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 34
GOOD_ZONE = "#dcf1e3"
LINE = "#1f5fa8"
TARGET = "#1b7f3b"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _fmt(v: float) -> str:
    return f"{v:g}" if abs(v) >= 1 or v == 0 else f"{v:.2g}"


def goal_chart(
    *,
    points: Sequence[Measurement],
    target: Target | None,
    baseline: float | None,
    start: date | None,
    due: date | None,
    today: date,
    unit: str,
    title: str,
) -> str:
    pts = sorted(points, key=lambda p: p.on)
    threshold = target.threshold(baseline) if target is not None else None
    marks = [p.value for p in pts]
    if baseline is not None:
        marks.append(baseline)
    if target is not None and target.kind == TargetKind.VALUE and target.value is not None:
        marks.append(float(target.value))
    if (
        target is not None
        and target.kind == TargetKind.RANGE
        and target.low is not None
        and target.high is not None
    ):
        marks += [float(target.low), float(target.high)]
    if threshold is not None:
        marks.append(threshold)
    if not marks:
        marks = [0.0, 1.0]
    lo, hi = min(marks), max(marks)
    pad = (hi - lo) * 0.12 or max(abs(hi) * 0.1, 1)
    ticks = nice_ticks(lo - pad, hi + pad)
    y0, y1 = ticks[0], ticks[-1]

    dates = [p.on for p in pts] + [d for d in (start, due, today) if d]
    d0, d1 = min(dates), max(dates)
    if d1 <= d0:
        d1 = d0 + timedelta(days=1)
    span = (d1 - d0).days

    def x(d: date) -> float:
        return LEFT + (W - LEFT - RIGHT) * (d - d0).days / span

    def y(v: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - (v - y0) / (y1 - y0))

    out: list[str] = []
    summary = f"{title}: " + (
        "; ".join(f"{p.on:%Y-%m-%d} {_fmt(p.value)} {unit}" for p in pts) if pts else "no measurements yet"
    )
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" class="goal-chart" role="img" '
        f'aria-label="{escape(summary)}"><title>{escape(title)}</title><desc>{escape(summary)}</desc>'
    )
    # Target zone (where values meet the goal), then grid and axes.
    top, bottom = TOP, H - BOTTOM
    zone: tuple[float, float] | None = None
    line_value: float | None = None
    if target is not None and target.kind == TargetKind.VALUE and target.value is not None:
        line_value = float(target.value)
        if target.comparator in ("<", "<="):
            zone = (y(line_value), bottom)
        elif target.comparator in (">", ">="):
            zone = (top, y(line_value))
    elif (
        target is not None
        and target.kind == TargetKind.RANGE
        and target.low is not None
        and target.high is not None
    ):
        zone = (y(float(target.high)), y(float(target.low)))
    elif threshold is not None:
        line_value = threshold
        zone = (y(threshold), bottom) if target and target.direction == "decrease" else (top, y(threshold))
    if zone is not None:
        z_top, z_bottom = max(top, min(zone)), min(bottom, max(zone))
        out.append(
            f'<rect x="{LEFT}" y="{z_top:.1f}" width="{W - LEFT - RIGHT}" height="{max(0, z_bottom - z_top):.1f}" '
            f'fill="{GOOD_ZONE}"><title>target zone</title></rect>'
        )
    for t in ticks:
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e3e3e3"/>'
            f'<text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" font-size="11" fill="#555">{_fmt(t)}</text>'
        )
    out.append(
        f'<text x="4" y="{TOP + 2}" font-size="10" fill="#555" dominant-baseline="hanging">{escape(unit)}</text>'
    )
    if line_value is not None:
        label = (
            f"target {target.describe() if target else ''}"
            if threshold is None
            else f"target {_fmt(line_value)}"
        )
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(line_value):.1f}" y2="{y(line_value):.1f}" '
            f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{W - RIGHT - 4}" y="{y(line_value) - 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{TARGET}">{escape(label)}</text>'
        )
    if baseline is not None:
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(baseline):.1f}" y2="{y(baseline):.1f}" stroke="#888" '
            f'stroke-dasharray="2 3"/><text x="{W - RIGHT - 4}" y="{y(baseline) + 13:.1f}" text-anchor="end" '
            f'font-size="11" fill="#666">baseline {_fmt(baseline)}</text>'
        )
    for d, label, anchor in ((d0, f"{d0:%b %d, %Y}", "start"), (d1, f"{d1:%b %d, %Y}", "end")):
        out.append(
            f'<text x="{x(d):.1f}" y="{H - 12}" text-anchor="{anchor}" font-size="11" fill="#555">{label}</text>'
        )
    if due is not None:
        out.append(
            f'<line x1="{x(due):.1f}" x2="{x(due):.1f}" y1="{top}" y2="{bottom}" stroke="#b35c00" '
            f'stroke-dasharray="4 3"/><text x="{x(due) - 3:.1f}" y="{top + 10}" text-anchor="end" font-size="11" '
            f'fill="#b35c00">due {due:%b %d}</text>'
        )
    out.append(
        f'<line x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{top}" y2="{bottom}" stroke="#999" stroke-width="0.8"/>'
    )
    if len(pts) > 1:
        path = " ".join(f"{x(p.on):.1f},{y(p.value):.1f}" for p in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for p in pts:
        fill = "#fff" if p.source == "entered" else LINE
        out.append(
            f'<circle cx="{x(p.on):.1f}" cy="{y(p.value):.1f}" r="4.5" fill="{fill}" stroke="{LINE}" '
            f'stroke-width="2"><title>{p.on:%Y-%m-%d}: {_fmt(p.value)} {escape(unit)}'
            f"{' (entered)' if p.source == 'entered' else ''}</title></circle>"
        )
    if pts:
        last = pts[-1]
        near_right = x(last.on) > W - RIGHT - 50
        out.append(
            f'<text x="{x(last.on) + (-8 if near_right else 8):.1f}" y="{y(last.value) - 8:.1f}" font-size="12" '
            f'font-weight="bold" text-anchor="{"end" if near_right else "start"}" fill="{LINE}">{_fmt(last.value)}</text>'
        )
    out.append("</svg>")
    return "".join(out)

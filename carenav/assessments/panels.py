"""The patient chart's assessment panel: safety alerts, latest results, findings and score trends."""

from __future__ import annotations

from typing import Any

from carenav.accounts.permissions import Permission
from carenav.assessments import selectors
from carenav.assessments.charts import Point, trend_svg
from carenav.assessments.definitions import default_registry
from carenav.assessments.models import AssessmentResponse
from carenav.assessments.presenters import finding_domain_label, instrument_choices
from carenav.web.registry import ChartPanel, register_chart_panel


def assessment_panel_context(user: Any, patient: Any) -> dict[str, Any]:
    registry = default_registry()
    trends = []
    for instrument_id, rows in selectors.score_history_for(user, patient).items():
        instrument = registry.get(instrument_id)
        if instrument is None or not rows:
            continue
        definition = instrument.scores[0]
        title = definition.label
        svg = trend_svg(
            [Point(r.effective_at, r.value, r.band_label) for r in rows[-12:] if r.value is not None],
            title=title,
            y_min=definition.min or 0,
            y_max=definition.max or max(r.value or 0 for r in rows),
            bands=definition.bands,
        )
        trends.append({"instrument": instrument, "title": title, "svg": svg, "rows": rows[-12:]})
    findings = [
        {"finding": f, "domain_label": finding_domain_label(f.domain)}
        for f in selectors.finding_list_for(user, patient)
    ]
    in_progress = selectors.assessment_list_for(user, patient).filter(
        status=AssessmentResponse.Status.IN_PROGRESS
    )
    return {
        "alerts": list(selectors.safety_alerts_for(user, patient)),
        "latest": selectors.latest_results_for(user, patient),
        "findings": findings,
        "trends": trends,
        "in_progress": list(in_progress[:5]),
        "instruments": instrument_choices(registry),
        "can_assess": user.has_perm_enum(Permission.ASSESS),
    }


def register_panels() -> None:
    register_chart_panel(
        ChartPanel(
            key="assessments",
            title="Assessments",
            template="assessments/_chart_panel.html",
            context=assessment_panel_context,
            order=5,
            column="main",
        )
    )

"""Per-patient scoring: feature row in, scores with their reasons out (pure Python, no database).

Every number in a result can be traced to a reason: {"score", "points", "text", "evidence"}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from carenav.analytics import scores
from carenav.analytics.config import Component, PriorityConfig
from carenav.analytics.features import FIELD, ITEM
from carenav.analytics.inputs import from_epoch_day
from carenav.terminology.valuesets import (
    ICD10CM,
    SYSTEM_LABELS,
    charlson_age_points,
    charlson_hierarchy,
    charlson_weights,
    format_icd10cm,
    load_valuesets,
)

Reason = dict[str, Any]
EMERGENT_PRIORITIES = ("emergency", "urgent")
# behavioral_risk categories that are not substance use in the care-management sense get their own flag.
OWN_FLAG = {"tobacco_use": "tobacco_use"}


@dataclass
class PatientResult:
    """One patient's stratification, field for field what population.RiskScore stores."""

    patient_id: int
    patient_ref: str
    tier: int
    priority: float
    age: int | None
    chronic_categories: list[str]
    chronic_count: int
    charlson_1987: int
    charlson_quan2011: int
    charlson_age_adjusted: int
    ip_6m: int
    ip_12m: int
    ed_6m: int
    ed_12m: int
    days_since_discharge: int | None
    readmissions_30d: int
    lace: int | None
    hospital_score: int | None
    cost_12m: float | None
    flags: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=65536)
def _iso(day: int | None) -> str | None:
    return from_epoch_day(day).isoformat() if day is not None else None


def _days(text: str | None) -> list[int]:
    return sorted(int(x) for x in text.split(ITEM)) if text else []


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


@lru_cache(maxsize=65536)
def _shown(system: str, code: str) -> str:
    return format_icd10cm(code) if system == ICD10CM else code


class Evidence(NamedTuple):
    system: str
    code: str
    day: int | None

    @property
    def shown(self) -> str:
        return _shown(self.system, self.code)

    def explain(self) -> tuple[str, dict[str, Any]]:
        """("I50.22 on 2025-03-01", {"system": "ICD-10-CM", "code": "I50.22", "date": "2025-03-01"})."""
        shown, date = self.shown, _iso(self.day)
        described = f"{shown} on {date}" if date is not None else f"{shown} (no onset date)"
        return described, {"system": SYSTEM_LABELS.get(self.system, self.system), "code": shown, "date": date}


def parse_matches(text: str | None) -> dict[tuple[str, str], Evidence]:
    """(value set, category) → its earliest code (ties: the smallest code)."""
    best: dict[tuple[str, str], Evidence] = {}
    if not text:
        return best
    for item in text.split(ITEM):
        valueset, category, system, code, day = item.split(FIELD)
        found = Evidence(system, code, int(day) if day else None)
        key = (valueset, category)
        current = best.get(key)
        if current is None or _order(found) < _order(current):
            best[key] = found
    return best


def _order(e: Evidence) -> tuple[bool, int, str]:
    return (e.day is None, e.day or 0, e.code)


class Scorer:
    """Applies the value sets, the published tables and the priority configuration to feature rows."""

    def __init__(self, config: PriorityConfig, *, as_of_day: int, has_claims_data: bool) -> None:
        self.config = config
        self.as_of_day = as_of_day
        self.has_claims_data = has_claims_data
        valuesets = load_valuesets()
        self.valueset_versions = {vid: vs.version for vid, vs in valuesets.items()}
        categories = [(vid, c) for vid, vs in valuesets.items() for c in vs.categories]
        self.display = {(vid, c.key): c.display for vid, c in categories}
        chronic = [c for vid, c in categories if vid == "chronic"]
        self.chronic_domain = {c.key: c.attributes.get("domain") for c in chronic}
        self.high_risk_chronic = frozenset(c.key for c in chronic if c.attributes.get("high_risk"))
        self.weights_1987 = charlson_weights("charlson1987")
        self.weights_quan = charlson_weights("quan2011")
        self.hierarchy = charlson_hierarchy()
        self.lace_weights = charlson_weights(config.lace_charlson_weights)
        self.lace_weights_label = valuesets["charlson"].extra["weight_sets"][config.lace_charlson_weights][
            "short_label"
        ]
        # Patients share a few hundred combinations of Charlson categories: score each combination once.
        self._charlson: dict[tuple[str, ...], tuple[scores.Charlson, scores.Charlson, int]] = {}
        self._priority: dict[tuple[str, float], Reason | None] = {}

    def charlson(self, categories: tuple[str, ...]) -> tuple[scores.Charlson, scores.Charlson, int]:
        """Charlson under the original and the Quan 2011 weights, and the total LACE uses."""
        found = self._charlson.get(categories)
        if found is None:
            found = self._charlson[categories] = (
                scores.charlson(categories, self.weights_1987, self.hierarchy),
                scores.charlson(categories, self.weights_quan, self.hierarchy),
                scores.charlson(categories, self.lace_weights, self.hierarchy).total,
            )
        return found

    def _priority_reason(self, component: Component, value: float) -> Reason | None:
        """A component's points for a feature value, as a reason (None for no points); counts are
        few and repeat, so their reasons are made once (and never changed: they are only read)."""
        key = (component.feature, value)
        cached = self._priority.get(key)
        if cached is not None or key in self._priority:
            return cached
        points = round(component.points(value), 2)
        shown = f"{value:,.2f}" if isinstance(value, float) else value
        reason: Reason | None = (
            {
                "score": "priority",
                "points": points,
                "text": f"{component.label}: {shown} → +{points:g}",
                "evidence": {"feature": component.feature, "value": value},
            }
            if points
            else None
        )
        if isinstance(value, int):
            self._priority[key] = reason
        return reason

    def score(self, row: Mapping[str, Any]) -> PatientResult:
        as_of = self.as_of_day
        windows = self.config.windows
        reasons: list[Reason] = []
        flags: list[str] = []
        matches = parse_matches(row["matches"])
        by_set: dict[str, dict[str, Evidence]] = {}
        for (valueset, category), evidence in sorted(matches.items()):
            by_set.setdefault(valueset, {})[category] = evidence

        age = scores.age_in_years(row["birth_day"], as_of) if row["birth_day"] is not None else None

        chronic = by_set.get("chronic", {})
        for key, ev in chronic.items():
            described, cited = ev.explain()
            reasons.append(
                {
                    "score": "chronic",
                    "points": 1,
                    "text": f"{self.display[('chronic', key)]}: {described} → chronic condition",
                    "evidence": {"category": key, **cited},
                }
            )
        domains = {self.chronic_domain[key] for key in chronic}
        risk = by_set.get("behavioral_risk", {})
        if "behavioral" in domains:
            flags.append("behavioral")
        if "substance_use" in domains or any(key not in OWN_FLAG for key in risk):
            flags.append("substance_use")
        flags.extend(sorted({OWN_FLAG[key] for key in risk if key in OWN_FLAG}))
        for key, ev in risk.items():
            described, cited = ev.explain()
            reasons.append(
                {
                    "score": "flag",
                    "points": None,
                    "text": f"{self.display[('behavioral_risk', key)]}: {described}",
                    "evidence": {"category": key, **cited},
                }
            )
        if "behavioral" in flags:
            names = sorted(
                self.display[("chronic", k)] for k in chronic if self.chronic_domain[k] == "behavioral"
            )
            reasons.append(
                {
                    "score": "flag",
                    "points": None,
                    "text": "Behavioral health: " + ", ".join(names),
                    "evidence": {},
                }
            )

        sdoh = by_set.get("sdoh", {})
        for key, ev in sdoh.items():
            flags.append("social_need:" + key.replace("_", "-"))
            described, cited = ev.explain()
            reasons.append(
                {
                    "score": "social_need",
                    "points": None,
                    "text": f"Social need — {self.display[('sdoh', key)]}: {described}",
                    "evidence": {"category": key, **cited},
                }
            )

        findings = sorted(set(row["findings"].split(ITEM))) if row["findings"] else []
        frailty = [d for d in findings if d != "no-caregiver"]
        for domain in frailty:
            flags.append(f"frailty:{domain}")
            reasons.append(
                {
                    "score": "frailty",
                    "points": None,
                    "text": f"Assessment finding: {domain}",
                    "evidence": {"domain": domain},
                }
            )
        no_caregiver = "no-caregiver" in findings or (bool(frailty) and row["caregivers"] == 0)
        if no_caregiver:
            flags.append("no_caregiver")
            why = (
                "assessment finding"
                if "no-caregiver" in findings
                else "frailty marker and no caregiver on file"
            )
            reasons.append(
                {"score": "frailty", "points": None, "text": f"No informal caregiver ({why})", "evidence": {}}
            )

        # Charlson (reference §2): both weight sets, hierarchy, age points.
        charlson = by_set.get("charlson", {})
        original, quan, lace_charlson = self.charlson(tuple(charlson))
        for key, ev in charlson.items():
            described, cited = ev.explain()
            head = f"{self.display[('charlson', key)]}: {described} → Charlson {key}"
            if key in original.zeroed_by:
                dominant = original.zeroed_by[key]
                text = f"{head} 0 (hierarchy: {self.display[('charlson', dominant)]} counts instead)"
            else:
                text = f"{head} +{original.points[key]} (Quan 2011: +{quan.points[key]})"
            reasons.append(
                {
                    "score": "charlson",
                    "points": original.points[key],
                    "text": text,
                    "evidence": {"category": key, "quan2011": quan.points[key], **cited},
                }
            )
        age_points = charlson_age_points(age) if age is not None else 0
        adjusted = original.total + age_points
        age_text = f"age {age}: +{age_points}" if age is not None else "age unknown: +0"
        reasons.append(
            {
                "score": "charlson_age_adjusted",
                "points": adjusted,
                "text": f"Charlson {original.total} (Quan 2011: {quan.total}); age-adjusted {adjusted} ({age_text})",
                "evidence": {
                    "charlson_1987": original.total,
                    "quan2011": quan.total,
                    "age_points": age_points,
                },
            }
        )
        oncology = [k for k in ("metacanc", "canc") if k in charlson]
        for key in sorted(chronic):
            if key in self.high_risk_chronic:
                flags.append(f"high_risk_condition:{key}")

        # Utilization (encounters).
        ip_days, ed_days = _days(row["ip_days"]), _days(row["ed_days"])
        for count, label, window, days in (
            (
                row["ip_6m"],
                "inpatient stay",
                "6 months",
                [d for d in ip_days if d >= as_of - windows.short_days],
            ),
            (row["ip_12m"], "inpatient stay", "12 months", ip_days),
            (row["ed_6m"], "ED visit", "6 months", [d for d in ed_days if d >= as_of - windows.short_days]),
            (row["ed_12m"], "ED visit", "12 months", ed_days),
        ):
            if count:
                score = ("ip_" if label.startswith("inpatient") else "ed_") + window.split()[0] + "m"
                reasons.append(
                    {
                        "score": score,
                        "points": count,
                        "text": f"{_plural(count, label)} in {window}",
                        "evidence": {"dates": [_iso(d) for d in days]},
                    }
                )
        last = row["last_discharge_day"]
        days_since = as_of - last if last is not None else None
        if last is not None:
            reasons.append(
                {
                    "score": "days_since_discharge",
                    "points": days_since,
                    "text": f"Last discharge on {_iso(last)} ({_plural(days_since or 0, 'day')} ago)",
                    "evidence": {"date": _iso(last)},
                }
            )
        if row["readmissions"]:
            for item in sorted(row["readmissions"].split(ITEM)):
                start, previous, ref = item.split(FIELD, 2)
                gap = int(start) - int(previous)
                reasons.append(
                    {
                        "score": "readmissions_30d",
                        "points": 1,
                        "text": f"Readmitted on {_iso(int(start))}, {_plural(gap, 'day')} after a discharge on {_iso(int(previous))}",
                        "evidence": {
                            "encounter": ref,
                            "admitted": _iso(int(start)),
                            "previous_discharge": _iso(int(previous)),
                        },
                    }
                )

        lace_total: int | None = None
        hospital_total: int | None = None
        if row["idx_ref"] is not None:
            flags.append("recent_discharge")
            admitted, discharged = row["idx_start"], row["idx_end"]
            los = discharged - admitted
            stay = {"encounter": row["idx_ref"], "admitted": _iso(admitted), "discharged": _iso(discharged)}
            via_ed = row["idx_via_ed_day"]
            planned = row["idx_priority"] in EMERGENT_PRIORITIES
            emergent = planned or via_ed is not None
            if planned:
                acuity = f"{row['idx_priority']} admission"
            elif via_ed is not None:
                acuity = f"emergent: ED visit on {_iso(via_ed)}"
            else:
                acuity = "elective" if row["idx_priority"] == "elective" else "not recorded as urgent"
            ed_before = row["idx_ed_6m"]
            result = scores.lace(
                length_of_stay_days=los, emergent=emergent, charlson=lace_charlson, ed_visits_6m=ed_before
            )
            lace_total = result.total
            reasons.append(
                {
                    "score": "lace",
                    "points": result.total,
                    "text": (
                        f"LACE {result.total}: L {result.length} ({_plural(los, 'day')}), A {result.acuity} ({acuity}), "
                        f"C {result.comorbidity} (Charlson {lace_charlson}, {self.lace_weights_label} weights), "
                        f"E {result.ed} ({_plural(ed_before, 'ED visit')} in 6 months before admission)"
                    ),
                    "evidence": {**stay, "ed_visits": [_iso(d) for d in _days(row["idx_ed_days"])]},
                }
            )
            hb, na = row["idx_hb"], row["idx_na"]
            if hb is None or na is None:
                missing = " and ".join(n for n, v in (("haemoglobin", hb), ("sodium", na)) if v is None)
                reasons.append(
                    {
                        "score": "hospital",
                        "points": None,
                        "text": f"HOSPITAL not scored: no {missing} recorded during the stay",
                        "evidence": stay,
                    }
                )
            else:
                prior = row["idx_prior_admissions"]
                h = scores.hospital(
                    haemoglobin_g_dl=hb,
                    oncology=bool(oncology),
                    sodium_mmol_l=na,
                    procedure=row["idx_procedures"] > 0,
                    non_elective=emergent,
                    admissions_12m=prior,
                    length_of_stay_days=los,
                )
                hospital_total = h.total
                onc = f"active cancer {charlson[oncology[0]].shown}" if oncology else "no active cancer"
                reasons.append(
                    {
                        "score": "hospital",
                        "points": h.total,
                        "text": (
                            f"HOSPITAL {h.total}: H {h.haemoglobin} (Hb {hb:g} g/dL), O {h.oncology} ({onc}), "
                            f"S {h.sodium} (Na {na:g} mmol/L), P {h.procedure} ({_plural(row['idx_procedures'], 'procedure')}), "
                            f"IT {h.index_type} ({'urgent/emergent' if emergent else 'elective'}), "
                            f"A {h.admissions} ({_plural(prior, 'admission')} in 12 months before), "
                            f"L {h.length} ({_plural(los, 'day')})"
                        ),
                        "evidence": {**stay, "haemoglobin_g_dl": hb, "sodium_mmol_l": na},
                    }
                )

        if row["claim_n"]:
            cost: float | None = round(float(row["claim_total"]), 2)
        elif row["eob_n"]:
            cost = round(float(row["eob_total"]), 2)
        else:
            cost = 0.0 if self.has_claims_data else None
        if cost:
            reasons.append(
                {
                    "score": "cost_12m",
                    "points": cost,
                    "text": f"Cost in 12 months: ${cost:,.2f} (claims)",
                    "evidence": {},
                }
            )

        features: dict[str, float | None] = {
            "chronic_count": len(chronic),
            "charlson_1987": original.total,
            "charlson_quan2011": quan.total,
            "charlson_age_adjusted": adjusted,
            "ip_6m": row["ip_6m"],
            "ip_12m": row["ip_12m"],
            "ed_6m": row["ed_6m"],
            "ed_12m": row["ed_12m"],
            "readmissions_30d": row["readmissions_30d"],
            "lace": lace_total,
            "hospital_score": hospital_total,
            "behavioral": 1 if "behavioral" in flags else 0,
            "substance_use": 1 if "substance_use" in flags else 0,
            "social_needs": len(sdoh),
            "frailty_markers": len(frailty),
            "no_caregiver": 1 if no_caregiver else 0,
            "age": age,
            "cost_12m": cost,
        }
        priority_reasons = []
        total = 0.0
        for component in self.config.components:
            value = features[component.feature]
            if not value:
                continue  # no feature, no points (every band starts above 0)
            reason = self._priority_reason(component, value)
            if reason is not None:
                total += reason["points"]
                priority_reasons.append(reason)
        priority = round(total, 2)
        tier = self.config.tier_for(priority)
        tier_reason: Reason = {
            "score": "tier",
            "points": tier.tier,
            "text": f"Priority {priority:g} ≥ {tier.min_priority:g} → tier {tier.tier} ({tier.label}), {self.config.label}",
            "evidence": {"config": self.config.label},
        }
        return PatientResult(
            patient_id=row["patient_id"],
            patient_ref=row["patient_ref"],
            tier=tier.tier,
            priority=priority,
            age=age,
            chronic_categories=sorted(chronic),
            chronic_count=len(chronic),
            charlson_1987=original.total,
            charlson_quan2011=quan.total,
            charlson_age_adjusted=adjusted,
            ip_6m=row["ip_6m"],
            ip_12m=row["ip_12m"],
            ed_6m=row["ed_6m"],
            ed_12m=row["ed_12m"],
            days_since_discharge=days_since,
            readmissions_30d=row["readmissions_30d"],
            lace=lace_total,
            hospital_score=hospital_total,
            cost_12m=cost,
            flags=flags,
            reasons=[tier_reason, *priority_reasons, *reasons],
        )

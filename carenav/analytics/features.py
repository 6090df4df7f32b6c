"""The Ibis expressions that turn the normalized inputs into one feature row per patient.

These are the same for every engine. Evidence (matched codes, stay dates) travels as compact
strings built with group_concat — the one aggregate every backend shares — and is parsed by the
scoring step; element order inside those strings is not relied upon.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.expr.types import Table

from carenav.analytics.config import Windows
from carenav.analytics.inputs import ACTIVE_STATUSES, HAEMOGLOBIN_LOINC, SODIUM_LOINC, Inputs
from carenav.terminology.valuesets import ICD10CM, SNOMED, lookup_rows

FIELD = "|"  # between the fields of one evidence item
ITEM = "^"  # between evidence items

LOOKUP_SCHEMA = ibis.schema(
    {
        "valueset": "string",
        "version": "string",
        "category": "string",
        "lk_system": "string",
        "code_or_prefix": "string",
        "match_kind": "string",
        "lk_stem": "string",
    }
)
STEM = 3  # every ICD-10-CM prefix in the value sets has at least three characters


def lookup_records() -> list[tuple[str, ...]]:
    """The value-set rows plus each code's join stem, stored as a plain column so that databases
    (SQLite in particular) index the equi-join instead of comparing every code with every prefix."""
    return [(*row, row[4][:STEM]) for row in lookup_rows()]


def lookup_table() -> Table:
    """The value-set rows as an in-memory table for the prefix/exact equi-join."""
    columns = list(zip(*lookup_records(), strict=True))
    return ibis.memtable(
        dict(zip(LOOKUP_SCHEMA.names, map(list, columns), strict=True)), schema=LOOKUP_SCHEMA
    )


def _text(value: Any) -> Any:
    return value.cast("string").coalesce(ibis.literal(""))


def condition_matches(inputs: Inputs, lookup: Table, *, as_of_day: int) -> Table:
    """Active conditions (as of the date) that fall in a value-set category, one row per code."""
    c = inputs.conditions
    c = c.filter(
        c.clinical_status.lower().isin(ACTIVE_STATUSES),
        c.onset_day.isnull() | (c.onset_day <= as_of_day),
        c.abatement_day.isnull() | (c.abatement_day > as_of_day),
    )
    c = c.mutate(day=c.onset_day.coalesce(c.recorded_day))
    joined = match_codes(c, lookup)
    return joined.group_by(["patient_id", "valueset", "category", "system", "code"]).aggregate(
        day=joined.day.min()
    )


def match_codes(codes: Table, lookup: Table) -> Table:
    """Join coded rows (patient_id, system, code, ...) to the value-set categories they fall in.

    ICD-10-CM: every prefix has at least three characters, so the code's dot-stripped three-character
    stem is an equi-join key (a hash join); `startswith` then checks the whole prefix. SNOMED CT:
    exact concept id.
    """
    norm = codes.code.upper().replace(".", "").replace(" ", "")
    icd = codes.filter(codes.system == ICD10CM).mutate(norm=norm, stem=norm.substr(0, STEM))
    prefixes = lookup.filter(lookup.match_kind == "prefix")
    by_prefix = icd.join(
        prefixes, (icd.system == prefixes.lk_system) & (icd.stem == prefixes.lk_stem)
    ).filter(lambda t: t.norm.startswith(t.code_or_prefix))
    sct = codes.filter(codes.system == SNOMED)
    exact = lookup.filter(lookup.match_kind == "exact")
    by_concept = sct.join(exact, (sct.system == exact.lk_system) & (sct.code.strip() == exact.code_or_prefix))
    columns = [*codes.columns, "valueset", "category"]
    return ibis.union(by_prefix.select(*columns), by_concept.select(*columns), distinct=False)


def _count(condition: Any) -> Any:
    return ibis.cases((condition, 1), else_=0).sum().cast("int64")


def _lab(obs: Table, stays: Table, loincs: tuple[str, ...], units: dict[str, float]) -> Table:
    """The last value of a lab during each patient's index stay, in the first unit of `units`."""
    o = obs.filter(obs.loinc.isin(loincs))
    unit = o.unit.lower().strip()
    factor = ibis.cases(
        *((unit == name, ibis.literal(f)) for name, f in units.items()), else_=ibis.null("float64")
    )
    o = o.mutate(value=o.value_num * factor, day=o.effective_sec // 86400).filter(lambda t: t.value.notnull())
    during = o.join(stays, o.patient_id == stays.sid).filter(
        lambda t: (t.encounter_id == t.idx_id) | ((t.day >= t.idx_start) & (t.day <= t.idx_end))
    )
    latest = during.group_by("patient_id").aggregate(sec=during.effective_sec.max())
    at_latest = during.join(
        latest, (during.patient_id == latest.patient_id) & (during.effective_sec == latest.sec)
    )
    return at_latest.group_by("patient_id").aggregate(value=at_latest.value.min())


def patient_features(inputs: Inputs, lookup: Table, *, as_of_day: int, windows: Windows) -> Table:
    """One row per living patient with every feature the scores need, ordered by patient id."""
    short, long = windows.short_days, windows.long_days
    p = inputs.patients
    p = p.filter(p.deceased_day.isnull() | (p.deceased_day > as_of_day))
    base = p.select("patient_id", "patient_ref", "birth_day", "sex")

    matches = condition_matches(inputs, lookup, as_of_day=as_of_day)
    matched = matches.group_by("patient_id").aggregate(
        matches=(
            matches.valueset
            + FIELD
            + matches.category
            + FIELD
            + matches.system
            + FIELD
            + matches.code
            + FIELD
            + _text(matches.day)
        ).group_concat(ITEM)
    )

    e = inputs.encounters
    ip = e.filter(e.cls == "inpatient", e.start_day <= as_of_day)
    ed = e.filter(e.cls == "emergency", e.start_day <= as_of_day)
    ip_recent = ip.start_day >= as_of_day - long
    inpatient = ip.group_by("patient_id").aggregate(
        ip_6m=_count(ip.start_day >= as_of_day - short),
        ip_12m=_count(ip_recent),
        ip_days=ibis.cases((ip_recent, ip.start_day.cast("string")), else_=None).group_concat(ITEM),
        last_discharge_day=ibis.cases((ip.end_day <= as_of_day, ip.end_day), else_=None).max(),
    )
    ed_recent = ed.start_day >= as_of_day - long
    emergency = ed.group_by("patient_id").aggregate(
        ed_6m=_count(ed.start_day >= as_of_day - short),
        ed_12m=_count(ed_recent),
        ed_days=ibis.cases((ed_recent, ed.start_day.cast("string")), else_=None).group_concat(ITEM),
    )

    ordered = ibis.window(group_by=ip.patient_id, order_by=[ip.start_day, ip.end_day, ip.encounter_id])
    stays = ip.mutate(prev_end=ip.end_day.lag().over(ordered))
    gap = stays.start_day - stays.prev_end
    readmits = stays.filter(
        stays.prev_end.notnull(),
        gap >= 0,
        gap <= windows.readmission_days,
        stays.start_day >= as_of_day - long,
    )
    readmissions = readmits.group_by("patient_id").aggregate(
        readmissions_30d=readmits.count(),
        readmissions=(
            readmits.start_day.cast("string")
            + FIELD
            + readmits.prev_end.cast("string")
            + FIELD
            + readmits.encounter_ref
        ).group_concat(ITEM),
    )

    discharged = ip.filter(
        ip.end_day.notnull(),
        ip.end_day <= as_of_day,
        ip.end_day >= as_of_day - windows.recent_discharge_days,
    )
    latest_first = ibis.window(
        group_by=discharged.patient_id,
        order_by=[
            ibis.desc(discharged.end_day),
            ibis.desc(discharged.start_day),
            ibis.desc(discharged.encounter_id),
        ],
    )
    ranked = discharged.mutate(rank=ibis.row_number().over(latest_first))
    index_stay = ranked.filter(ranked.rank == 0).select(
        patient_id="patient_id",
        idx_id="encounter_id",
        idx_ref="encounter_ref",
        idx_start="start_day",
        idx_end="end_day",
        idx_priority="priority",
    )
    stay = index_stay.rename(sid="patient_id")

    before = ed.join(stay, ed.patient_id == stay.sid).filter(
        lambda t: (t.start_day >= t.idx_start - short) & (t.start_day <= t.idx_start - 2)
    )
    ed_before = before.group_by("patient_id").aggregate(
        idx_ed_6m=before.count(), idx_ed_days=before.start_day.cast("string").group_concat(ITEM)
    )
    # The ED visit that led to the admission (same day or the day before) makes it emergent (LACE "A").
    via = ed.join(stay, ed.patient_id == stay.sid).filter(
        lambda t: (t.start_day >= t.idx_start - 1) & (t.start_day <= t.idx_start)
    )
    via_ed = via.group_by("patient_id").aggregate(idx_via_ed_day=via.start_day.min())
    prior = ip.join(stay, ip.patient_id == stay.sid).filter(
        lambda t: (
            (t.start_day >= t.idx_start - long) & (t.start_day < t.idx_start) & (t.encounter_id != t.idx_id)
        )
    )
    prior_admissions = prior.group_by("patient_id").aggregate(idx_prior_admissions=prior.count())
    pr = inputs.procedures
    during = pr.join(stay, pr.patient_id == stay.sid).filter(
        lambda t: (
            (t.encounter_id == t.idx_id) | ((t.performed_day >= t.idx_start) & (t.performed_day <= t.idx_end))
        )
    )
    procedures = during.group_by("patient_id").aggregate(idx_procedures=during.count())
    obs_stays = index_stay.select("patient_id", "idx_id", "idx_start", "idx_end").rename(sid="patient_id")
    haemoglobin = _lab(inputs.observations, obs_stays, HAEMOGLOBIN_LOINC, {"g/dl": 1.0, "g/l": 0.1}).rename(
        idx_hb="value"
    )
    sodium = _lab(inputs.observations, obs_stays, SODIUM_LOINC, {"mmol/l": 1.0, "meq/l": 1.0}).rename(
        idx_na="value"
    )

    cl = inputs.claims
    cl = cl.filter(cl.service_day >= as_of_day - long, cl.service_day <= as_of_day)
    is_claim = cl.resource_type == "Claim"
    claims = cl.group_by("patient_id").aggregate(
        claim_n=_count(is_claim),
        claim_total=ibis.cases((is_claim, cl.total), else_=0.0).sum(),
        eob_n=_count(~is_claim),
        eob_total=ibis.cases((~is_claim, cl.total), else_=0.0).sum(),
    )
    cg = inputs.caregivers
    caregivers = cg.group_by("patient_id").aggregate(caregivers=cg.count())
    f = inputs.findings.distinct()
    findings = f.group_by("patient_id").aggregate(findings=f.domain.group_concat(ITEM))

    aggregates = (
        matched,
        inpatient,
        emergency,
        readmissions,
        index_stay,
        ed_before,
        via_ed,
        prior_admissions,
        procedures,
        haemoglobin,
        sodium,
        claims,
        caregivers,
        findings,
    )
    # One flat chain of left joins: SQLite's parser overflows on deeply nested subqueries.
    out = base
    keys = []
    for n, agg in enumerate(aggregates):
        key = f"pid{n}"
        keyed = agg.rename({key: "patient_id"})
        out = out.left_join(keyed, base.patient_id == keyed[key])
        keys.append(key)
    out = out.drop(*keys)
    zero = ibis.literal(0)
    return out.mutate(
        **{
            name: out[name].coalesce(zero)
            for name in (
                "ip_6m",
                "ip_12m",
                "ed_6m",
                "ed_12m",
                "readmissions_30d",
                "idx_ed_6m",
                "idx_prior_admissions",
                "idx_procedures",
                "claim_n",
                "eob_n",
                "caregivers",
            )
        }
    ).order_by("patient_id")

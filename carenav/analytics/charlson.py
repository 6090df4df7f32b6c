"""Charlson Comorbidity Index computed entirely in the engine (no per-patient Python).

The same value sets, weights and hierarchy as the full pipeline, expressed as joins: present
categories, minus the categories a present dominant one zeroes, joined to the weight table and
summed. Used where only Charlson is wanted at scale (and by the comorbidipy comparison).
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from carenav.analytics.features import match_codes
from carenav.terminology.valuesets import charlson_hierarchy, charlson_weights


def weights_table() -> Table:
    original, quan = charlson_weights("charlson1987"), charlson_weights("quan2011")
    return ibis.memtable(
        {"w_category": list(original), "w1987": list(original.values()), "wquan": [quan[k] for k in original]}
    )


def hierarchy_table() -> Table:
    pairs = charlson_hierarchy()
    return ibis.memtable({"dominant": [d for d, _ in pairs], "zeroed": [z for _, z in pairs]})


def charlson_scores(codes: Table, lookup: Table, weights: Table, hierarchy: Table) -> Table:
    """Per patient with at least one Charlson category: charlson_1987 and charlson_quan2011.

    `codes` has patient_id, system (canonical URI) and code; patients without a Charlson code
    score 0 and are absent from the result.
    """
    matched = match_codes(codes, lookup.filter(lookup.valueset == "charlson"))
    present = matched.select("patient_id", "category").distinct()
    dominant = present.join(hierarchy, present.category == hierarchy.dominant).select(
        patient_id="patient_id", zeroed="zeroed"
    )
    kept = present.anti_join(
        dominant, (present.patient_id == dominant.patient_id) & (present.category == dominant.zeroed)
    )
    weighted = kept.join(weights, kept.category == weights.w_category)
    return weighted.group_by("patient_id").aggregate(
        charlson_1987=weighted.w1987.sum().cast("int64"), charlson_quan2011=weighted.wquan.sum().cast("int64")
    )

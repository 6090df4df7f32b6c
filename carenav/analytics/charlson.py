"""Charlson Comorbidity Index computed entirely in the engine (no per-patient Python).

The same value sets, weights and hierarchy as the full pipeline: one aggregation turns each
patient's matched codes into a present/absent flag per category, and the score is the weighted sum
of the flags with each zeroed category multiplied by (1 - its dominant category's flag). The
expression is generated from the weight and hierarchy data, so it changes when they do.
Used where only Charlson is wanted at scale (and by the comorbidipy comparison).
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.expr.types import Table

from carenav.analytics.features import match_codes
from carenav.terminology.valuesets import charlson_hierarchy, charlson_weights

WEIGHT_SETS = {"charlson_1987": "charlson1987", "charlson_quan2011": "quan2011"}


def _weighted_sum(flags: Table, weights: dict[str, int], zeroed_by: dict[str, str]) -> Any:
    total: Any = ibis.literal(0)
    for category, weight in weights.items():
        if not weight:
            continue
        term = flags[category] * weight
        if category in zeroed_by:
            term = term * (1 - flags[zeroed_by[category]])
        total = total + term
    return total.cast("int64")


def charlson_scores(codes: Table, lookup: Table) -> Table:
    """charlson_1987 and charlson_quan2011 per patient with at least one Charlson code.

    `codes` has patient_id, system (canonical URI) and code; patients without a Charlson code
    score 0 and are absent from the result.
    """
    matched = match_codes(codes, lookup.filter(lookup.valueset == "charlson"))
    categories = list(charlson_weights("charlson1987"))
    flags = matched.group_by("patient_id").aggregate(
        **{k: ibis.cases((matched.category == k, 1), else_=0).max() for k in categories}
    )
    zeroed_by = {zeroed: dominant for dominant, zeroed in charlson_hierarchy()}
    return flags.select(
        "patient_id",
        **{
            column: _weighted_sum(flags, charlson_weights(weight_set), zeroed_by)
            for column, weight_set in WEIGHT_SETS.items()
        },
    )

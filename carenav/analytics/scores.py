"""Published scoring tables as data, and the small pure functions that apply them.

Nothing here touches a database: the pipeline computes the inputs (length of stay, counts, lab
values, Charlson categories) and these functions turn them into points with their breakdown, so
each table can be tested row by row against its source (reference §1.1, §1.2, §2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# (lower bound, points): the last row whose bound the value reaches applies.
Steps = Sequence[tuple[float, int]]

# LACE, van Walraven et al. CMAJ 2010;182:551-7 (original table; UK "modified LACE" gives 6 for >= 14 days).
LACE_LENGTH_OF_STAY: Steps = ((0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (7, 5), (14, 7))
LACE_ACUTE_ADMISSION = 3
LACE_COMORBIDITY: Steps = ((0, 0), (1, 1), (2, 2), (3, 3), (4, 5))
LACE_ED_VISITS: Steps = ((0, 0), (1, 1), (2, 2), (3, 3), (4, 4))

# HOSPITAL, Donzé et al. JAMA Intern Med 2013;173:632-8. Thresholds are strict (Hb 12.0 and Na 135 score 0).
HOSPITAL_HAEMOGLOBIN_BELOW = 12.0  # g/dL
HOSPITAL_SODIUM_BELOW = 135.0  # mmol/L
HOSPITAL_ONCOLOGY = 2
HOSPITAL_PROCEDURE = 1
HOSPITAL_NON_ELECTIVE = 1
HOSPITAL_PRIOR_ADMISSIONS: Steps = ((0, 0), (2, 2), (6, 5))  # 0-1 / 2-5 / >5 in the previous 12 months
HOSPITAL_LONG_STAY_DAYS = 5  # >= 5 days
HOSPITAL_LONG_STAY = 2


def step_points(value: float, steps: Steps) -> int:
    """Points of the highest step whose lower bound `value` reaches (steps ascending)."""
    points = 0
    for bound, step in steps:
        if value < bound:
            break
        points = step
    return points


@dataclass(frozen=True)
class Lace:
    total: int
    length: int
    acuity: int
    comorbidity: int
    ed: int


def lace(*, length_of_stay_days: int, emergent: bool, charlson: int, ed_visits_6m: int) -> Lace:
    """LACE index (0-19). Length of stay is discharge date minus admission date (same day = 0)."""
    length = step_points(length_of_stay_days, LACE_LENGTH_OF_STAY)
    acuity = LACE_ACUTE_ADMISSION if emergent else 0
    comorbidity = step_points(charlson, LACE_COMORBIDITY)
    ed = step_points(ed_visits_6m, LACE_ED_VISITS)
    return Lace(length + acuity + comorbidity + ed, length, acuity, comorbidity, ed)


@dataclass(frozen=True)
class Hospital:
    total: int
    haemoglobin: int
    oncology: int
    sodium: int
    procedure: int
    index_type: int
    admissions: int
    length: int


def hospital(
    *,
    haemoglobin_g_dl: float,
    oncology: bool,
    sodium_mmol_l: float,
    procedure: bool,
    non_elective: bool,
    admissions_12m: int,
    length_of_stay_days: int,
) -> Hospital:
    """HOSPITAL score (0-13) from the discharge values of the index stay."""
    parts = (
        1 if haemoglobin_g_dl < HOSPITAL_HAEMOGLOBIN_BELOW else 0,
        HOSPITAL_ONCOLOGY if oncology else 0,
        1 if sodium_mmol_l < HOSPITAL_SODIUM_BELOW else 0,
        HOSPITAL_PROCEDURE if procedure else 0,
        HOSPITAL_NON_ELECTIVE if non_elective else 0,
        step_points(admissions_12m, HOSPITAL_PRIOR_ADMISSIONS),
        HOSPITAL_LONG_STAY if length_of_stay_days >= HOSPITAL_LONG_STAY_DAYS else 0,
    )
    return Hospital(sum(parts), *parts)


@dataclass(frozen=True)
class Charlson:
    """A Charlson sum with, per present category, its points or the category that zeroed it."""

    total: int
    points: Mapping[str, int]
    zeroed_by: Mapping[str, str]


def charlson(
    present: Iterable[str], weights: Mapping[str, int], hierarchy: Iterable[tuple[str, str]]
) -> Charlson:
    """Sum the weights of the present categories after the hierarchy rule (assign0).

    For each (dominant, zeroed) pair, a present dominant category makes the other score 0:
    moderate/severe liver disease over mild, diabetes with complications over without,
    metastatic tumour over any malignancy.
    """
    found = set(present)
    zeroed_by = {zeroed: dominant for dominant, zeroed in hierarchy if dominant in found and zeroed in found}
    points = {key: (0 if key in zeroed_by else weights[key]) for key in sorted(found)}
    return Charlson(sum(points.values()), points, zeroed_by)


EPOCH = date(1970, 1, 1)


@lru_cache(maxsize=65536)  # a population has a few tens of thousands of birthdays
def age_in_years(birth_day: int, as_of_day: int) -> int:
    """Completed years between two epoch-day numbers (birthdays on 29 February fall on 1 March)."""
    born = EPOCH + timedelta(days=birth_day)
    today = EPOCH + timedelta(days=as_of_day)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

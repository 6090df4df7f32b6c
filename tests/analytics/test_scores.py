"""Each scoring table against its published source (reference §1.1, §1.2, §2), boundaries included."""

import datetime as dt

import pytest

from carenav.analytics import scores
from carenav.analytics.inputs import epoch_day
from carenav.terminology.valuesets import charlson_age_points, charlson_hierarchy, charlson_weights


@pytest.mark.parametrize(
    ("days", "points"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (6, 4), (7, 5), (13, 5), (14, 7), (40, 7)],
)
def test_lace_length_of_stay(days: int, points: int) -> None:
    assert scores.lace(length_of_stay_days=days, emergent=False, charlson=0, ed_visits_6m=0).length == points


@pytest.mark.parametrize(("charlson", "points"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (12, 5)])
def test_lace_comorbidity(charlson: int, points: int) -> None:
    assert (
        scores.lace(length_of_stay_days=0, emergent=False, charlson=charlson, ed_visits_6m=0).comorbidity
        == points
    )


@pytest.mark.parametrize(("visits", "points"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (9, 4)])
def test_lace_ed_visits(visits: int, points: int) -> None:
    assert scores.lace(length_of_stay_days=0, emergent=False, charlson=0, ed_visits_6m=visits).ed == points


def test_lace_acuity_and_range() -> None:
    assert scores.lace(length_of_stay_days=0, emergent=True, charlson=0, ed_visits_6m=0).total == 3
    assert scores.lace(length_of_stay_days=0, emergent=False, charlson=0, ed_visits_6m=0).total == 0
    top = scores.lace(length_of_stay_days=14, emergent=True, charlson=4, ed_visits_6m=4)
    assert (top.length, top.acuity, top.comorbidity, top.ed, top.total) == (7, 3, 5, 4, 19)


def _hospital(**overrides: object) -> scores.Hospital:
    values: dict[str, object] = {
        "haemoglobin_g_dl": 13.0,
        "oncology": False,
        "sodium_mmol_l": 140.0,
        "procedure": False,
        "non_elective": False,
        "admissions_12m": 0,
        "length_of_stay_days": 1,
    } | overrides
    return scores.hospital(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("hb", "points"), [(11.9, 1), (12.0, 0), (12.1, 0)])
def test_hospital_haemoglobin_threshold_is_strict(hb: float, points: int) -> None:
    assert _hospital(haemoglobin_g_dl=hb).haemoglobin == points


@pytest.mark.parametrize(("na", "points"), [(134.9, 1), (135.0, 0), (136.0, 0)])
def test_hospital_sodium_threshold_is_strict(na: float, points: int) -> None:
    assert _hospital(sodium_mmol_l=na).sodium == points


@pytest.mark.parametrize(("admissions", "points"), [(0, 0), (1, 0), (2, 2), (5, 2), (6, 5), (10, 5)])
def test_hospital_prior_admissions(admissions: int, points: int) -> None:
    assert _hospital(admissions_12m=admissions).admissions == points


@pytest.mark.parametrize(("days", "points"), [(4, 0), (5, 2), (9, 2)])
def test_hospital_length_of_stay_is_five_days_or_more(days: int, points: int) -> None:
    assert _hospital(length_of_stay_days=days).length == points


def test_hospital_other_items_and_range() -> None:
    assert _hospital().total == 0
    assert _hospital(oncology=True).oncology == 2
    assert _hospital(procedure=True).procedure == 1
    assert _hospital(non_elective=True).index_type == 1
    top = _hospital(
        haemoglobin_g_dl=8,
        oncology=True,
        sodium_mmol_l=120,
        procedure=True,
        non_elective=True,
        admissions_12m=6,
        length_of_stay_days=5,
    )
    assert top.total == 13


ORIGINAL = charlson_weights("charlson1987")
QUAN = charlson_weights("quan2011")
HIERARCHY = charlson_hierarchy()


def test_charlson_published_weights() -> None:
    assert ORIGINAL == {
        "ami": 1, "chf": 1, "pvd": 1, "cevd": 1, "dementia": 1, "copd": 1, "rheumd": 1, "pud": 1, "mld": 1,
        "diab": 1, "diabwc": 2, "hp": 2, "rend": 2, "canc": 2, "msld": 3, "metacanc": 6, "aids": 6,
    }  # fmt: skip
    assert QUAN == {
        "ami": 0, "chf": 2, "pvd": 0, "cevd": 0, "dementia": 2, "copd": 1, "rheumd": 1, "pud": 0, "mld": 2,
        "diab": 0, "diabwc": 1, "hp": 2, "rend": 1, "canc": 2, "msld": 4, "metacanc": 6, "aids": 4,
    }  # fmt: skip


@pytest.mark.parametrize(("dominant", "zeroed"), [("msld", "mld"), ("diabwc", "diab"), ("metacanc", "canc")])
def test_charlson_hierarchy_zeroes_the_milder_category(dominant: str, zeroed: str) -> None:
    result = scores.charlson({dominant, zeroed}, ORIGINAL, HIERARCHY)
    assert result.points[zeroed] == 0
    assert result.zeroed_by == {zeroed: dominant}
    assert result.total == ORIGINAL[dominant]


def test_charlson_milder_category_alone_counts() -> None:
    assert scores.charlson({"mld"}, QUAN, HIERARCHY).total == 2
    assert scores.charlson({"diab", "canc"}, ORIGINAL, HIERARCHY).total == 3


def test_charlson_maximum_scores() -> None:
    everything = set(ORIGINAL)
    assert scores.charlson(everything, ORIGINAL, HIERARCHY).total == 29
    assert scores.charlson(everything, QUAN, HIERARCHY).total == 24


@pytest.mark.parametrize(
    ("age", "points"),
    [(0, 0), (49, 0), (50, 1), (59, 1), (60, 2), (69, 2), (70, 3), (79, 3), (80, 4), (101, 4)],
)
def test_charlson_age_points(age: int, points: int) -> None:
    assert charlson_age_points(age) == points


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        ("1976-11-24", "2026-11-24", 50),
        ("1976-11-25", "2026-11-24", 49),
        ("2000-02-29", "2026-02-28", 25),
        ("2000-02-29", "2026-03-01", 26),
    ],
)
def test_age_in_completed_years(born: str, today: str, age: int) -> None:

    assert (
        scores.age_in_years(epoch_day(dt.date.fromisoformat(born)), epoch_day(dt.date.fromisoformat(today)))
        == age
    )

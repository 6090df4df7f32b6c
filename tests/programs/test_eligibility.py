"""Eligibility rules per program, with boundary cases, evaluated over plain facts (no database)."""

from typing import Any

import pytest

from carenav.programs.definitions import get_program
from carenav.programs.eligibility import evaluate, validate_rule


def facts(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "tier": 3,
        "priority": 10.0,
        "age": 60,
        "chronic_categories": [],
        "chronic_count": 0,
        "flags": [],
        "days_since_discharge": None,
        "discharge_disposition": "",
    }
    return {**base, **overrides}


def decide(code: str, **overrides: Any):  # type: ignore[no-untyped-def]
    return evaluate(get_program(code).eligibility, facts(**overrides))


def test_ccm_needs_two_chronic_conditions_lasting_a_year() -> None:
    one = decide("CCM", chronic_categories=["heart_failure"])
    assert not one.eligible
    assert one.reasons == ("1 chronic condition lasting 12+ months (needs 2): heart failure",)
    two = decide("CCM", chronic_categories=["heart_failure", "diabetes"])
    assert two.eligible
    assert two.reasons == ("2 chronic conditions lasting 12+ months: heart failure, diabetes mellitus",)
    assert not decide("CCM").eligible
    assert decide("CCM").reasons == ("0 chronic conditions lasting 12+ months (needs 2)",)


def test_ccm_ignores_categories_the_value_set_does_not_know() -> None:
    decision = decide("CCM", chronic_categories=["heart_failure", "prediabetes"])
    assert not decision.eligible


def test_pcm_needs_one_high_risk_condition() -> None:
    assert not decide("PCM", flags=["behavioral"]).eligible
    decision = decide("PCM", flags=["high_risk_condition:copd"])
    assert decision.eligible
    assert decision.reasons == ("high-risk condition: COPD or bronchiectasis",)


@pytest.mark.parametrize(("tier", "eligible"), [(1, True), (2, False), (None, False)])
def test_complex_case_management_is_the_highest_tier(tier: int | None, eligible: bool) -> None:
    decision = decide("CCM_COMPLEX", tier=tier)
    assert decision.eligible is eligible
    if tier == 1:
        assert decision.reasons == ("risk tier 1 (highest)",)
    if tier == 2:
        assert decision.reasons == ("risk tier 2, needs = 1",)


@pytest.mark.parametrize(("days", "eligible"), [(0, True), (29, True), (30, False), (None, False)])
def test_tcm_window_is_the_discharge_day_plus_29(days: int | None, eligible: bool) -> None:
    assert decide("TCM", days_since_discharge=days, discharge_disposition="home").eligible is eligible


def test_tcm_needs_a_community_setting() -> None:
    snf = decide("TCM", days_since_discharge=3, discharge_disposition="snf")
    assert not snf.eligible
    assert snf.reasons == ("not discharged to a community setting (snf)",)
    home = decide("TCM", days_since_discharge=3, discharge_disposition="HOME")
    assert home.eligible and "discharged to a community setting (HOME)" in home.reasons
    unknown = decide("TCM", days_since_discharge=3, discharge_disposition="")
    assert unknown.eligible
    assert any(r.startswith("discharge setting not recorded") for r in unknown.reasons)


def test_bhi_behavioral_or_substance_use() -> None:
    assert decide("BHI", flags=["substance_use"]).reasons == ("substance use condition",)
    assert decide("BHI", flags=["behavioral", "substance_use"]).eligible
    no = decide("BHI", flags=["social_need:food_insecurity"])
    assert not no.eligible
    assert no.reasons == ("no behavioral health condition", "no substance use condition")


@pytest.mark.parametrize(
    ("age", "flags", "eligible"),
    [
        (65, ["frailty:adl-dependency"], True),
        (64, ["frailty:adl-dependency"], False),
        (80, ["no_caregiver"], True),
        (80, [], False),
        (None, ["no_caregiver"], False),
    ],
)
def test_ltss_age_and_frailty_or_no_caregiver(age: int | None, flags: list[str], eligible: bool) -> None:
    assert decide("LTSS", age=age, flags=flags).eligible is eligible


def test_ltss_reasons_read_like_a_sentence() -> None:
    decision = decide("LTSS", age=72, flags=["frailty:adl-dependency", "no_caregiver"])
    assert decision.reasons == (
        "age 72 (≥ 65)",
        "frailty: needs help with activities of daily living (ADL)",
        "no informal caregiver",
    )
    young = decide("LTSS", age=50, flags=[])
    assert young.reasons == ("age 50, needs ≥ 65", "no frailty", "no flag for a missing caregiver")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"all": []}, "non-empty"),
        ({"type": "nope"}, "unknown rule type"),
        ({"type": "compare", "field": "age", "op": "~", "value": 1, "label": "age"}, "unknown operator"),
        ({"type": "flag", "flag": "x"}, "missing label"),
        ([], "must be an object"),
    ],
)
def test_malformed_rules_are_rejected(rule: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_rule(rule)

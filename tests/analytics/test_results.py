"""Scoring one feature row: flags, the caregiver rule, cost, priority components and their reasons."""

from typing import Any

from carenav.analytics.config import load_config
from carenav.analytics.features import FIELD, ITEM
from carenav.analytics.inputs import epoch_day
from carenav.analytics.results import PatientResult, Scorer, parse_matches
from tests.analytics.population import AS_OF

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
TODAY = epoch_day(AS_OF)


def row(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "patient_id": 1,
        "patient_ref": "p1",
        "birth_day": epoch_day(AS_OF.replace(year=AS_OF.year - 70)),
        "sex": "female",
        "matches": None,
        "ip_6m": 0,
        "ip_12m": 0,
        "ip_days": None,
        "last_discharge_day": None,
        "ed_6m": 0,
        "ed_12m": 0,
        "ed_days": None,
        "readmissions_30d": 0,
        "readmissions": None,
        "idx_id": None,
        "idx_ref": None,
        "idx_start": None,
        "idx_end": None,
        "idx_priority": None,
        "idx_ed_6m": 0,
        "idx_ed_days": None,
        "idx_via_ed_day": None,
        "idx_prior_admissions": 0,
        "idx_procedures": 0,
        "idx_hb": None,
        "idx_na": None,
        "claim_n": 0,
        "claim_total": None,
        "eob_n": 0,
        "eob_total": None,
        "caregivers": 0,
        "findings": None,
    }
    return base | overrides


def match(valueset: str, category: str, code: str, day: int | None = TODAY - 100) -> str:
    return FIELD.join([valueset, category, ICD, code, "" if day is None else str(day)])


def score(has_claims_data: bool = True, **overrides: Any) -> PatientResult:
    return Scorer(load_config(), as_of_day=TODAY, has_claims_data=has_claims_data).score(row(**overrides))


def test_earliest_code_is_the_evidence_of_a_category() -> None:
    parsed = parse_matches(
        ITEM.join(
            [
                match("chronic", "heart_failure", "I50.9", 200),
                match("chronic", "heart_failure", "I50.22", 100),
            ]
        )
    )
    assert parsed[("chronic", "heart_failure")].code == "I50.22"


def test_tobacco_is_its_own_flag_and_alcohol_misuse_is_substance_use() -> None:
    tobacco = score(matches=match("behavioral_risk", "tobacco_use", "F17.210"))
    assert "tobacco_use" in tobacco.flags and "substance_use" not in tobacco.flags
    disorder = score(matches=match("chronic", "alcohol_use_disorder", "F10.20"))
    assert "substance_use" in disorder.flags and "high_risk_condition:alcohol_use_disorder" in disorder.flags


def test_frailty_without_a_caregiver_flags_no_caregiver() -> None:
    alone = score(findings="adl-dependency", caregivers=0)
    assert alone.flags == ["frailty:adl-dependency", "no_caregiver"]
    supported = score(findings="adl-dependency", caregivers=1)
    assert supported.flags == ["frailty:adl-dependency"]
    stated = score(findings=ITEM.join(["no-caregiver", "iadl-dependency"]), caregivers=1)
    assert stated.flags == ["frailty:iadl-dependency", "no_caregiver"]


def test_cost_is_unknown_without_claims_data_and_zero_without_claims() -> None:
    assert score(has_claims_data=False).cost_12m is None
    assert score().cost_12m == 0.0
    assert score(claim_n=2, claim_total=150.254).cost_12m == 150.25
    assert score(eob_n=1, eob_total=99.0).cost_12m == 99.0  # EOBs only when there is no Claim


def test_priority_components_and_tier_reason() -> None:
    result = score(
        matches=ITEM.join([match("chronic", "heart_failure", "I50.22"), match("charlson", "chf", "I50.22")]),
        ip_12m=2,
        ip_6m=1,
        ip_days=ITEM.join([str(TODAY - 10), str(TODAY - 300)]),
    )
    # chronic 1 + Charlson Quan 2 + two stays 4 + age 70 → 1
    assert result.priority == 8.0 and result.tier == 3
    priority = {r["evidence"]["feature"]: r["points"] for r in result.reasons if r["score"] == "priority"}
    assert priority == {"chronic_count": 1.0, "charlson_quan2011": 2.0, "ip_12m": 4.0, "age": 1.0}
    assert result.reasons[0]["text"] == "Priority 8 ≥ 5 → tier 3 (Rising risk), priority-v1"
    stays = next(r for r in result.reasons if r["score"] == "ip_12m")
    assert stays["text"] == "2 inpatient stays in 12 months"
    assert len(stays["evidence"]["dates"]) == 2


def test_unknown_onset_and_age() -> None:
    result = score(birth_day=None, matches=match("charlson", "copd", "J44.9", None))
    assert result.age is None and result.charlson_age_adjusted == 1
    assert any("J44.9 (no onset date)" in r["text"] for r in result.reasons)

"""Every scorer against the published tables (clinical-reference.md section 4): bands and their
boundaries, positive cut-offs, safety flags and the findings each result produces."""

import pytest

from carenav.assessments.answers import validate_answers
from carenav.assessments.scoring import SCORER_VERSION, AssessmentResult, ScoringContext, score
from tests.assessments.conftest import (
    ACP_DONE,
    AHC_NEGATIVE,
    CAREGIVER_OK,
    FREQ,
    HITS,
    LAWTON_INDEPENDENT,
    MEDS_OK,
    STEADI_NO,
    comprehensive_answers,
    gad7_total,
    katz,
    phq9,
    phq9_total,
    run,
)


def findings(result):  # type: ignore[no-untyped-def]
    return {(f.kind, f.domain, f.severity) for f in result.findings}


# ------------------------------------------------------------------------------------------ PHQ-9 / PHQ-2


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "moderately-severe", True),
        (19, "moderately-severe", True),
        (20, "severe", True),
        (27, "severe", True),
    ],
)
def test_phq9_bands_at_every_boundary(total: int, band: str, positive: bool) -> None:
    total_score = run("phq-9", phq9_total(total)).score("total")
    assert total_score is not None
    assert (total_score.value, total_score.band_code, total_score.positive) == (total, band, positive)
    assert total_score.code == {
        "system": "http://loinc.org",
        "code": "44261-6",
        "display": "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
    }


def test_phq9_item9_flags_safety_regardless_of_total() -> None:
    low = run("phq-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
    assert low.score("total").value == 1 and low.score("total").band_code == "minimal"  # type: ignore[union-attr]
    assert [f.id for f in low.flags] == ["self-harm"] and low.flags[0].severity == "safety"
    assert ("risk-factor", "self-harm-risk", "high") in findings(low)
    for answer in FREQ[1:]:
        answers = phq9(0, 0, 0, 0, 0, 0, 0, 0, 0) | {"phq9-9": answer}
        assert [f.id for f in run("phq-9", answers).flags] == ["self-harm"]


def test_phq9_item9_zero_raises_no_flag_even_when_severe() -> None:
    severe = run("phq-9", phq9(3, 3, 3, 3, 3, 3, 3, 3, 0))
    assert severe.score("total").value == 24 and severe.flags == []  # type: ignore[union-attr]


def test_phq9_findings_follow_severity() -> None:
    assert findings(run("phq-9", phq9_total(4))) == set()
    assert findings(run("phq-9", phq9_total(7))) == {("risk-factor", "depression", "low")}
    assert findings(run("phq-9", phq9_total(12))) == {("problem", "depression", "moderate")}
    assert findings(run("phq-9", phq9_total(17))) == {("problem", "depression", "high")}
    detail = run("phq-9", phq9_total(14)).findings[0].detail
    assert detail == "PHQ-9 total 14: moderate depression"


def test_phq9_plain_words() -> None:
    line = run("phq-9", phq9_total(14)).score("total").plain  # type: ignore[union-attr]
    assert line == "PHQ-9 total score: 14 of 27, moderate depression (positive: at or above 10)"


@pytest.mark.parametrize(
    ("item1", "item2", "positive"), [(0, 0, False), (1, 1, False), (2, 1, True), (3, 3, True)]
)
def test_phq2_cutoff_is_three(item1: int, item2: int, positive: bool) -> None:
    result = run("phq-2", {"phq2-1": FREQ[item1], "phq2-2": FREQ[item2]})
    total = result.score("total")
    assert total.value == item1 + item2 and total.positive is positive  # type: ignore[union-attr]
    assert total.code["code"] == "55758-7"  # type: ignore[index,union-attr]
    assert bool(result.notes) is positive  # "administer the full PHQ-9"


# ------------------------------------------------------------------------------------------------ GAD-7


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "severe", True),
        (21, "severe", True),
    ],
)
def test_gad7_bands_at_every_boundary(total: int, band: str, positive: bool) -> None:
    result = run("gad-7", gad7_total(total))
    total_score = result.score("total")
    assert (total_score.value, total_score.band_code, total_score.positive) == (total, band, positive)  # type: ignore[union-attr]
    assert total_score.code["code"] == "70274-6"  # type: ignore[index,union-attr]


def test_gad2_and_anxiety_findings() -> None:
    answers = gad7_total(0) | {"gad7-1": FREQ[2], "gad7-2": FREQ[1]}
    result = run("gad-7", answers)
    assert result.score("gad2").value == 3 and result.score("gad2").positive is True  # type: ignore[union-attr]
    assert findings(result) == set()
    assert findings(run("gad-7", gad7_total(6))) == {("risk-factor", "anxiety", "low")}
    assert findings(run("gad-7", gad7_total(10))) == {("problem", "anxiety", "moderate")}
    assert findings(run("gad-7", gad7_total(15))) == {("problem", "anxiety", "high")}


# ----------------------------------------------------------------------------------------------- AUDIT-C

Q1 = ["LA6270-8", "LA18926-8", "LA18927-6", "LA18928-4", "LA18929-2"]
Q2 = ["LA15694-5", "LA15695-2", "LA18930-0", "LA18931-8", "LA18932-6"]
Q3 = ["LA6270-8", "LA18933-4", "LA18876-5", "LA18891-4", "LA18934-2"]


def audit(q1: int, q2: int, q3: int) -> dict[str, str]:
    return {"auditc-1": Q1[q1], "auditc-2": Q2[q2], "auditc-3": Q3[q3]}


@pytest.mark.parametrize(
    ("answers", "sex", "positive"),
    [
        (audit(1, 1, 1), "male", False),  # 3: below the men's cut-off
        (audit(1, 1, 1), "female", True),  # 3: at the women's cut-off
        (audit(1, 1, 1), None, True),  # unknown sex uses the more sensitive 3
        (audit(2, 1, 1), "male", True),  # 4
        (audit(1, 1, 0), "female", False),  # 2
        (audit(4, 4, 4), "male", True),  # 12
    ],
)
def test_auditc_sex_specific_cutoffs(answers: dict[str, str], sex: str | None, positive: bool) -> None:
    total = run("audit-c", answers, sex=sex).score("total")
    assert total.positive is positive  # type: ignore[union-attr]
    assert total.threshold == (4 if sex == "male" else 3)  # type: ignore[union-attr]
    assert total.code["code"] == "75626-2"  # type: ignore[index,union-attr]


def test_auditc_never_skips_the_other_questions() -> None:
    result = run("audit-c", {"auditc-1": "LA6270-8"})
    assert result.score("total").value == 0 and result.findings == []  # type: ignore[union-attr]


def test_auditc_points_only_from_frequency_get_the_va_note() -> None:
    result = run("audit-c", audit(4, 0, 0), sex="male")
    assert result.score("total").value == 4 and result.score("total").positive  # type: ignore[union-attr]
    assert result.notes and "below recommended limits" in result.notes[0]
    assert findings(result) == {("risk-factor", "risky-drinking", "low")}
    assert findings(run("audit-c", audit(2, 1, 1), sex="male")) == {
        ("risk-factor", "risky-drinking", "moderate")
    }


# ------------------------------------------------------------------------------------- Katz ADL / Lawton


@pytest.mark.parametrize(
    ("independent", "band", "severity"),
    [
        (6, "full", None),
        (5, "", "low"),
        (4, "moderate", "moderate"),
        (3, "", "moderate"),
        (2, "severe", "high"),
        (0, "severe", "high"),
    ],
)
def test_katz_labels_and_dependency_findings(independent: int, band: str, severity: str | None) -> None:
    result = run("katz-adl", katz(independent))
    total = result.score("total")
    assert total.value == independent and total.band_code == band  # type: ignore[union-attr]
    expected = {("problem", "adl-dependency", severity)} if severity else set()
    assert findings(result) == expected
    if severity:
        assert result.findings[0].code == "Z74.1"


def test_katz_unlabelled_scores_read_as_numbers() -> None:
    assert run("katz-adl", katz(5)).score("total").plain == "Katz ADL score: 5 of 6"  # type: ignore[union-attr]


LAWTON_OPTIONS = {
    "iadl-telephone": {"telephone-1": 1, "telephone-2": 1, "telephone-3": 1, "telephone-4": 0},
    "iadl-shopping": {"shopping-1": 1, "shopping-2": 0, "shopping-3": 0, "shopping-4": 0},
    "iadl-food": {"food-1": 1, "food-2": 0, "food-3": 0, "food-4": 0},
    "iadl-housekeeping": {
        "housekeeping-1": 1,
        "housekeeping-2": 1,
        "housekeeping-3": 1,
        "housekeeping-4": 1,
        "housekeeping-5": 0,
    },
    "iadl-laundry": {"laundry-1": 1, "laundry-2": 1, "laundry-3": 0},
    "iadl-transportation": {
        "transportation-1": 1,
        "transportation-2": 1,
        "transportation-3": 1,
        "transportation-4": 0,
        "transportation-5": 0,
    },
    "iadl-medications": {"medications-1": 1, "medications-2": 0, "medications-3": 0},
    "iadl-finances": {"finances-1": 1, "finances-2": 1, "finances-3": 0},
}


@pytest.mark.parametrize(
    ("link_id", "code", "points"),
    [(k, c, p) for k, options in LAWTON_OPTIONS.items() for c, p in options.items()],
)
def test_lawton_every_option_scores_as_published(link_id: str, code: str, points: int) -> None:
    result = run("lawton-iadl", LAWTON_INDEPENDENT | {link_id: code})
    assert result.score("total").value == 7 + points  # type: ignore[union-attr]


def test_lawton_findings() -> None:
    assert findings(run("lawton-iadl", LAWTON_INDEPENDENT)) == set()
    one = run("lawton-iadl", LAWTON_INDEPENDENT | {"iadl-shopping": "shopping-2"})
    assert findings(one) == {("problem", "iadl-dependency", "low")}
    meds = run("lawton-iadl", LAWTON_INDEPENDENT | {"iadl-medications": "medications-3"})
    assert findings(meds) == {
        ("problem", "iadl-dependency", "low"),
        ("risk-factor", "medication-adherence", "moderate"),
    }
    none = {k: list(v)[-1] for k, v in LAWTON_OPTIONS.items()}
    assert run("lawton-iadl", none).score("total").value == 0  # type: ignore[union-attr]
    assert ("problem", "iadl-dependency", "high") in findings(run("lawton-iadl", none))


# --------------------------------------------------------------------------------------------- AHC HRSN


def ahc(**changes: object) -> dict[str, object]:
    return AHC_NEGATIVE | {k.replace("_", "-"): v for k, v in changes.items()}


def test_ahc_all_negative() -> None:
    result = run("ahc-hrsn", AHC_NEGATIVE)
    assert result.positive_domains == [] and result.flags == [] and result.findings == []
    assert result.score("safety").value == 4 and result.score("positive-domains").value == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "domain", "finding"),
    [
        ({"ahc_living_situation": "LA31994-9"}, "housing-instability", ("housing-instability", "Z59.811")),
        ({"ahc_living_situation": "LA31995-6"}, "housing-instability", ("homelessness", "32911000")),
        (
            {"ahc_housing_problems": ["LA28580-1", "LA32001-2"]},
            "housing-instability",
            ("inadequate-housing", "inadequate-housing"),
        ),
        ({"ahc_food_worry": "LA6729-3"}, "food-insecurity", ("food-insecurity", "Z59.41")),
        ({"ahc_food_didnt_last": "LA28397-0"}, "food-insecurity", ("food-insecurity", "Z59.41")),
        ({"ahc_transportation": "LA33-6"}, "transportation", ("transportation-insecurity", "Z59.82")),
        ({"ahc_utilities": "LA33-6"}, "utilities", ("utility-insecurity", "utility-insecurity")),
        ({"ahc_utilities": "LA32002-0"}, "utilities", ("utility-insecurity", "utility-insecurity")),
    ],
)
def test_ahc_each_domain_positive_rule(
    changes: dict[str, object], domain: str, finding: tuple[str, str]
) -> None:
    result = run("ahc-hrsn", ahc(**changes))
    assert [d.id for d in result.positive_domains] == [domain]
    assert [(f.domain, f.code) for f in result.findings] == [finding]
    assert all(f.kind == "health-concern" for f in result.findings)
    assert result.score("positive-domains").value == 1  # type: ignore[union-attr]


def test_ahc_safety_cutoff_is_greater_than_ten() -> None:
    ten = ahc(
        ahc_safety_hurt=HITS[2],
        ahc_safety_insult=HITS[2],
        ahc_safety_threaten=HITS[1],
        ahc_safety_scream=HITS[1],
    )
    result = run("ahc-hrsn", ten)
    assert result.score("safety").value == 10 and result.score("safety").positive is False  # type: ignore[union-attr]
    assert result.flags == []
    eleven = ten | {"ahc-safety-scream": HITS[2]}
    result = run("ahc-hrsn", eleven)
    assert result.score("safety").value == 11 and result.score("safety").positive is True  # type: ignore[union-attr]
    assert [(f.id, f.severity) for f in result.flags] == [("interpersonal-safety", "safety")]
    assert [(f.domain, f.severity) for f in result.findings] == [("intimate-partner-violence", "high")]
    assert result.score("safety").code["code"] == "95614-4"  # type: ignore[index,union-attr]
    assert (
        run("ahc-hrsn", ahc(**{k.replace("-", "_"): HITS[4] for k in eleven if "safety" in k}))
        .score("safety")
        .value
        == 20
    )  # type: ignore[union-attr]


def test_ahc_none_of_the_above_is_negative_and_exclusive() -> None:
    assert run("ahc-hrsn", ahc(ahc_housing_problems=["LA9-3"])).positive_domains == []


# ------------------------------------------------------------------------------------ Hunger Vital Sign


@pytest.mark.parametrize(
    ("worry", "didnt_last", "code"),
    [
        ("LA28397-0", "LA28398-8", "LA19952-3"),
        ("LA28398-8", "LA6729-3", "LA19952-3"),
        ("LA28398-8", "LA28398-8", "LA19983-8"),
        ("LA15775-2", "LA15775-2", "LA19983-8"),
    ],
)
def test_hunger_vital_sign_rule(worry: str, didnt_last: str, code: str) -> None:
    result = run("hunger-vital-sign", {"hvs-worry": worry, "hvs-didnt-last": didnt_last})
    risk = result.score("risk")
    assert risk.value_coding["code"] == code and risk.code["code"] == "88124-3"  # type: ignore[index,union-attr]
    assert bool(result.findings) is (code == "LA19952-3")


def test_hunger_vital_sign_unanswered_gives_no_value(registry) -> None:  # type: ignore[no-untyped-def]
    instrument = registry.get("hunger-vital-sign")
    partial = validate_answers(instrument, {"hvs-worry": "LA28398-8"}, complete=False)
    result = score(instrument, partial.answers, registry).components[0]
    assert result.score("risk").value_coding is None and not result.complete  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------------- PRAPARE


def test_prapare_risk_tally_counts_each_risk_answer() -> None:
    answers = {
        "prapare-housing": "LA30190-5",
        "prapare-unmet-needs": ["LA30125-1", "LA30126-9", "LA30128-5"],
        "prapare-transportation": ["LA30133-5", "LA30134-3"],
        "prapare-stress": "LA13914-9",
        "prapare-armed-forces": "LA33-6",
        "prapare-income": 18000.0,
    }
    result = run("prapare", answers)
    assert result.score("risk-tally").value == 6  # housing, three needs, transportation, stress  # type: ignore[union-attr]
    domains = {f.domain for f in result.findings}
    assert domains == {
        "homelessness",
        "food-insecurity",
        "material-hardship",
        "medical-cost-burden",
        "transportation-insecurity",
        "stress",
    }
    assert result.flags == []


def test_prapare_safety_answers_raise_the_safety_flag() -> None:
    assert [f.id for f in run("prapare", {"prapare-safe": "LA32-8"}).flags] == ["interpersonal-safety"]
    afraid = run("prapare", {"prapare-afraid-partner": "LA33-6"})
    assert [f.id for f in afraid.flags] == ["interpersonal-safety"]
    assert [f.domain for f in afraid.findings] == ["intimate-partner-violence"]
    assert run("prapare", {"prapare-safe": "LA14072-5"}).flags == []


def test_prapare_empty_is_a_zero_tally() -> None:
    result = run("prapare", {})
    assert result.score("risk-tally").value == 0 and result.findings == []  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------------- STEADI


def test_steadi_any_yes_is_at_risk() -> None:
    assert run("steadi-falls", STEADI_NO).score("key-questions").positive is False  # type: ignore[union-attr]
    assert findings(run("steadi-falls", STEADI_NO)) == set()
    worried = run("steadi-falls", STEADI_NO | {"steadi-worry": True})
    assert worried.score("key-questions").positive and findings(worried) == {
        ("risk-factor", "fall-risk", "low")
    }  # type: ignore[union-attr]
    one_fall = STEADI_NO | {"steadi-fallen": True, "steadi-fall-count": 1, "steadi-injured": False}
    result = run("steadi-falls", one_fall)
    assert (
        findings(result) == {("risk-factor", "fall-risk", "moderate")} and result.findings[0].code == "Z91.81"
    )
    assert findings(run("steadi-falls", one_fall | {"steadi-fall-count": 2})) == {
        ("risk-factor", "fall-risk", "high")
    }
    assert findings(run("steadi-falls", one_fall | {"steadi-injured": True})) == {
        ("risk-factor", "fall-risk", "high")
    }


# --------------------------------------------------------------------- support system, medications, ACP


def test_caregiver_findings() -> None:
    assert findings(run("caregiver-support", CAREGIVER_OK)) == set()
    alone = {
        "cg-lives-alone": True,
        "cg-has-caregiver": False,
        "cg-backup": True,
        "cg-needs-more-help": False,
    }
    assert findings(run("caregiver-support", alone)) == {("risk-factor", "no-caregiver", "moderate")}
    needs = alone | {"cg-needs-more-help": True, "cg-backup": False}
    result = run("caregiver-support", needs)
    assert findings(result) == {
        ("risk-factor", "no-caregiver", "high"),
        ("health-concern", "social-connection", "moderate"),
    }
    assert {f.code for f in result.findings} == {"Z74.2", "social-connection"}
    strained = CAREGIVER_OK | {"cg-able-to-continue": "not-sure"}
    assert findings(run("caregiver-support", strained)) == {("risk-factor", "caregiver-strain", "moderate")}


def test_medication_concerns() -> None:
    assert findings(run("medication-review", MEDS_OK)) == set()
    cost = run("medication-review", MEDS_OK | {"med-cost": True, "med-missed": "missed-3-plus"})
    assert cost.score("concerns").value == 2  # type: ignore[union-attr]
    assert findings(cost) == {
        ("risk-factor", "medication-adherence", "moderate"),
        ("health-concern", "medical-cost-burden", "moderate"),
    }
    side = run("medication-review", MEDS_OK | {"med-side-effects": True})
    assert [(f.id, f.severity) for f in side.flags] == [("side-effects", "warning")]
    many = MEDS_OK | {
        "med-knows-purpose": "none",
        "med-stopped": True,
        "med-side-effects": True,
        "med-manager": "no-one",
    }
    assert ("risk-factor", "medication-adherence", "high") in findings(run("medication-review", many))


def test_advance_care_planning_status() -> None:
    done = run("advance-care-planning", ACP_DONE)
    assert done.score("status").value_coding["code"] == "documented" and done.findings == []  # type: ignore[index,union-attr]
    missing = {"acp-directive": "no", "acp-proxy": "unsure", "acp-discussed": False, "acp-wants-help": True}
    result = run("advance-care-planning", missing)
    assert result.score("status").value_coding["code"] == "not-documented"  # type: ignore[index,union-attr]
    assert findings(result) == {("health-concern", "advance-care-planning", "moderate")}


def test_what_matters_has_no_score() -> None:
    result = run("what-matters", {"wm-matters-most": "My garden"})
    assert result.scores == [] and result.findings == [] and result.complete


# ----------------------------------------------------------------------------------------- composite


def test_comprehensive_scores_every_component_with_its_own_version(registry) -> None:  # type: ignore[no-untyped-def]
    instrument = registry.get("comprehensive-cm")
    answers = comprehensive_answers() | katz(3) | {"ahc-food-worry": "LA6729-3"}
    validated = validate_answers(instrument, answers, complete=True)
    result = score(instrument, validated.answers, registry, ScoringContext(sex="female"))
    assert [c.instrument_id for c in result.components] == list(instrument.components)
    assert result.component_versions["phq-9"] == registry.get("phq-9").version
    assert {(f.domain, f.instrument_id) for f in result.findings} == {
        ("adl-dependency", "katz-adl"),
        ("food-insecurity", "ahc-hrsn"),
    }
    assert result.scorer_version == SCORER_VERSION


def test_result_round_trips_through_json(registry) -> None:  # type: ignore[no-untyped-def]
    instrument = registry.get("phq-9")
    result = score(instrument, phq9_total(16, item9=2), registry)
    again = AssessmentResult.from_dict(result.to_dict())
    assert again == result
    assert again.safety_flags[0].id == "self-harm"

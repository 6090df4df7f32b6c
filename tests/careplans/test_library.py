"""Template library: every file loads, targets individualize by rule, suggestions follow problems."""

import json
from datetime import date
from pathlib import Path

import pytest

from carenav.careplans.goal_status import TargetKind
from carenav.careplans.library import LibraryError, PatientContext, load, resolve_target, suggest

TODAY = date(2026, 11, 24)


def goal(template_id: str, key: str):
    lib = load()
    template = next(t for t in lib.latest() if t.id == template_id)
    return next(g for g in template.goals if g.key == key)


def test_all_templates_load_in_english_and_spanish() -> None:
    lib = load()
    ids = {t.id for t in lib.templates}
    assert {"heart_failure", "diabetes", "copd", "depression", "food_insecurity", "transportation"} <= ids
    for t in lib.templates:
        assert t.title["es"] and t.goals
        for g in t.goals:
            assert g.description["es"] != g.description["en"]


def test_hba1c_target_is_individualized_by_age_and_comorbidity() -> None:
    hba1c = goal("diabetes", "dm-hba1c")
    young = resolve_target(hba1c, PatientContext(age=52, chronic_count=2), None)
    assert (young.target.comparator, young.target.value) == ("<", 7.0)
    older = resolve_target(hba1c, PatientContext(age=71, chronic_count=3), None)
    assert older.target.value == 8.0 and "65" in older.why["en"]
    dementia = resolve_target(hba1c, PatientContext(age=60, categories=frozenset({"dementia"})), None)
    assert dementia.target.value == 8.0


def test_heart_failure_weight_target_is_relative_to_dry_weight() -> None:
    weight = goal("heart_failure", "hf-weight")
    pending = resolve_target(weight, PatientContext(), None)
    assert pending.target is None and pending.baseline_offset == 2.0
    resolved = resolve_target(weight, PatientContext(), 81.5)
    assert (resolved.target.comparator, resolved.target.value) == ("<=", 83.5)


def test_audit_c_target_depends_on_sex() -> None:
    audit = goal("risky_drinking", "alc-auditc")
    assert resolve_target(audit, PatientContext(sex="female"), None).target.value == 3
    assert resolve_target(audit, PatientContext(sex="male"), None).target.value == 4


def test_suggestions_follow_problem_keys_and_skip_goals_already_in_plan() -> None:
    ctx = PatientContext(age=70, chronic_count=3)
    out = suggest(
        ["heart_failure", "food-insecurity", "no-such-key"],
        ctx,
        TODAY,
        baselines={("http://loinc.org", "29463-7"): 80.0},
    )
    refs = [s.ref for s in out]
    assert refs[0] == "heart_failure/hf-weight@2026.1"
    assert "food_insecurity/food-enough@2026.1" in refs
    assert out[0].resolved.target.value == 82.0
    assert out[0].due_date == date(2027, 2, 22)
    again = suggest(["heart_failure"], ctx, TODAY, exclude_refs=["heart_failure/hf-weight@2025.9"])
    assert [s.ref for s in again] == ["heart_failure/hf-medicines@2026.1"]


def test_depression_response_is_a_direction_target() -> None:
    (first, *_) = suggest(["depression"], PatientContext(), TODAY)
    assert first.resolved.target.kind == TargetKind.DIRECTION and first.resolved.target.change_pct == 50


def test_text_translates_template_text_but_keeps_free_text() -> None:
    lib = load()
    ref = "diabetes/dm-hba1c@2026.1"
    en = goal("diabetes", "dm-hba1c").description["en"]
    assert lib.text(ref, en, "es").startswith("Controlar mi azúcar")
    assert (
        lib.text(ref, "Bajar mi A1c antes de la boda de mi nieta", "en")
        == "Bajar mi A1c antes de la boda de mi nieta"
    )
    assert lib.text("", en, "es") == en


def write(tmp_path: Path, templates: list[dict]) -> Path:
    (tmp_path / "t.json").write_text(json.dumps({"templates": templates}), encoding="utf-8")
    return tmp_path


def minimal(**changes) -> dict:
    text = {"en": "x", "es": "y"}
    t = {
        "id": "t",
        "version": "1",
        "kind": "condition",
        "title": text,
        "triggers": ["k"],
        "problem": {"display": "P"},
        "goals": [
            {
                "key": "g",
                "description": text,
                "measure": {"code": "4548-4"},
                "target_rules": [
                    {"when": {}, "target": {"kind": "value", "comparator": "<", "value": 7}, "why": text}
                ],
                "due_in_days": 30,
                "priority": "high",
                "owner": "patient",
                "interventions": [],
            }
        ],
    }
    t.update(changes)
    return t


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": {"en": "only English"}}, "needs text in en, es"),
        ({"kind": "disease"}, "needs kind"),
        ({"goals": [{**minimal()["goals"][0], "measure": {"code": "0000-0"}}]}, "not in measures.json"),
        (
            {
                "goals": [
                    {
                        **minimal()["goals"][0],
                        "target_rules": [
                            {
                                "when": {"age_gte": 65},
                                "target": {"kind": "milestone"},
                                "why": {"en": "a", "es": "b"},
                            }
                        ],
                    }
                ]
            },
            "last target rule",
        ),
        (
            {
                "goals": [
                    {
                        **minimal()["goals"][0],
                        "target_rules": [
                            {
                                "when": {},
                                "target": {"kind": "value", "value": 7},
                                "why": {"en": "a", "es": "b"},
                            }
                        ],
                    }
                ]
            },
            "how the value compares",
        ),
        (
            {
                "goals": [
                    {
                        **minimal()["goals"][0],
                        "target_rules": [
                            {
                                "when": {"bmi_gte": 30},
                                "target": {"kind": "milestone"},
                                "why": {"en": "a", "es": "b"},
                            }
                        ],
                    }
                ]
            },
            "unknown rule condition",
        ),
    ],
)
def test_malformed_templates_are_refused(tmp_path: Path, change: dict, message: str) -> None:
    with pytest.raises(LibraryError, match=message):
        load(write(tmp_path, [minimal(**change)]))


def test_duplicate_versions_are_refused(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="defined twice"):
        load(write(tmp_path, [minimal(), minimal()]))

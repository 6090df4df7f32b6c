"""Sampling of people: ages, co-occurring conditions, coverage rules and a coherent care timeline."""

from datetime import date

import pytest

from carenav.synth import catalog as cat
from carenav.synth.generate import patient_rng
from carenav.synth.model import WINDOW_DAYS, Person, needs_support, sample_person

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return [sample_person(patient_rng(7, i), i, AS_OF) for i in range(4000)]


def share(people: list[Person], key: str, given: str | None = None) -> float:
    group = [p for p in people if given is None or given in p.conditions]
    return sum(key in p.conditions for p in group) / len(group)


def test_same_stream_gives_the_same_person() -> None:
    first = sample_person(patient_rng(3, 11), 11, AS_OF)
    again = sample_person(patient_rng(3, 11), 11, AS_OF)
    other = sample_person(patient_rng(3, 12), 12, AS_OF)
    assert repr(first) == repr(again)
    assert repr(first) != repr(other)


def test_birth_date_matches_the_sampled_age(people: list[Person]) -> None:
    for p in people:
        birth = date.fromordinal(p.birth)
        age = AS_OF.year - birth.year - ((AS_OF.month, AS_OF.day) < (birth.month, birth.day))
        lo, hi = cat.AGE_BANDS[p.band]
        assert age == p.age and lo <= age <= hi


def test_conditions_co_occur(people: list[Person]) -> None:
    assert share(people, "hypertension", "diabetes") > share(people, "hypertension") + 0.15
    assert share(people, "ckd", "diabetes") > 1.5 * share(people, "ckd")
    assert share(people, "afib", "heart_failure") > 3 * share(people, "afib")
    assert share(people, "heart_failure", "afib") > 3 * share(people, "heart_failure")
    assert share(people, "copd", "tobacco") > 2 * share(people, "copd")
    sick = [p for p in people if len(p.conditions) >= 4]
    well = [p for p in people if len(p.conditions) <= 1]
    assert share(sick, "depression") > 1.5 * share(well, "depression")


def test_conditions_drawn_among_a_parent_always_have_it(people: list[Person]) -> None:
    for p in people:
        for key in p.conditions:
            parent = cat.CONDITION_BY_KEY[key].parent
            if parent:
                assert parent in p.conditions and p.onset[key] >= p.onset[parent]


def test_dementia_belongs_to_old_age(people: list[Person]) -> None:
    assert not any("dementia" in p.conditions for p in people if p.age < 45)
    old = [p for p in people if p.age >= 85]
    assert share(old, "dementia") > 0.15


def test_diabetes_with_ckd_is_usually_coded_as_diabetic_kidney_disease(people: list[Person]) -> None:
    both = [p for p in people if "diabetes" in p.conditions and "ckd" in p.conditions]
    combined = [p for p in both if p.conditions["diabetes"].tag == "t2-ckd"]
    assert 0.5 < len(combined) / len(both) < 0.8
    assert not any(
        p.conditions["diabetes"].tag == "t2-ckd"
        for p in people
        if "diabetes" in p.conditions and "ckd" not in p.conditions
    )


def test_coverage_follows_age_and_entitlement(people: list[Person]) -> None:
    medicare = {"medicare", "medicare_advantage"}
    for p in people:
        kinds = {c.kind for c in p.coverage}
        assert [c.order for c in p.coverage] == list(range(1, len(p.coverage) + 1))
        if p.age >= 65:
            assert p.coverage[0].kind in medicare
        if "ckd" in p.conditions and p.conditions["ckd"].tag == "esrd":
            assert p.coverage[0].kind in medicare
        if len(p.coverage) == 2:
            assert p.coverage[0].kind in medicare and kinds & {"medicaid", "medicaid_managed"}
    duals = [p for p in people if len(p.coverage) == 2]
    assert 0.05 < len(duals) / len(people) < 0.15


def test_timeline_stays_inside_the_window_and_never_overlaps(people: list[Person]) -> None:
    as_of = AS_OF.toordinal()
    for p in people:
        last = p.death if p.death is not None else as_of - 1
        stays = [v for v in p.visits if v.cls == "IMP"]
        for v in p.visits:
            assert as_of - WINDOW_DAYS <= v.start <= v.end <= last
        for a, b in zip(stays, stays[1:], strict=False):
            assert b.start > a.end
            if b.readmission:
                assert 1 <= b.start - a.end <= 30
        for v in p.visits:
            if v.cls != "IMP":
                assert not any(s.start <= v.start <= s.end for s in stays)
        if p.death is not None and stays and stays[-1].disposition == "exp":
            assert stays[-1].end == p.death
        assert sum(s.disposition == "exp" for s in stays) <= 1


def test_sicker_people_use_more_acute_care(people: list[Person]) -> None:
    def acute(group: list[Person]) -> float:
        return sum(sum(v.cls in ("IMP", "EMER") for v in p.visits) for p in group) / len(group)

    ranked = sorted(people, key=lambda p: p.complexity)
    fifth = len(ranked) // 5
    assert acute(ranked[-fifth:]) > 3 * acute(ranked[:fifth])


def test_caregivers_go_mostly_to_people_who_need_support(people: list[Person]) -> None:
    needy = [p for p in people if needs_support(p)]
    others = [p for p in people if not needs_support(p)]
    assert sum(p.caregiver is not None for p in needy) / len(needy) > 0.5
    assert sum(p.caregiver is not None for p in others) / len(others) < 0.2
    assert all(p.caregiver != "SPS" for p in people if p.marital != "M")


def test_nothing_starts_after_death(people: list[Person]) -> None:
    dead = [p for p in people if p.death is not None]
    assert dead
    for p in dead:
        assert max(p.onset.values(), default=0) < p.death
        assert all(n.onset < p.death and (n.abatement is None or n.abatement < p.death) for n in p.social)
        assert all(c.start < p.death for c in p.coverage)

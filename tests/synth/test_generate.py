"""The export: file layout, byte-identical determinism, and a 10,000-patient population near its targets."""

from datetime import date
from pathlib import Path

import pytest

from carenav.core.compression import reading, suffix
from carenav.synth import catalog as cat
from carenav.synth.fhir import RESOURCE_TYPES
from carenav.synth.generate import generate
from tests.synth.conftest import AS_OF, N_PATIENTS, Population


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_bulk_export_layout_and_counts(tmp_path: Path) -> None:
    ticks: list[int] = []
    counts = generate(tmp_path, patients=250, seed=1, as_of=AS_OF, chunk_size=100, progress=ticks.append)
    assert sum(ticks) == 250
    names = sorted(p.name for p in tmp_path.iterdir())
    assert {n.split(".")[1] for n in names} == {"000", "001", "002"}
    assert all(n.endswith(".ndjson") and n.split(".")[0] in RESOURCE_TYPES for n in names)
    for resource_type in RESOURCE_TYPES:
        lines = sum(p.read_bytes().count(b"\n") for p in tmp_path.glob(f"{resource_type}.*.ndjson"))
        assert lines == counts[resource_type]
    assert counts["Patient"] == 250
    assert 22 <= sum(counts.values()) / 250 <= 40


def test_same_seed_gives_byte_identical_files_for_any_worker_count(tmp_path: Path) -> None:
    one, again, two = tmp_path / "one", tmp_path / "again", tmp_path / "two"
    generate(one, patients=300, seed=9, as_of=AS_OF, chunk_size=100)
    generate(again, patients=300, seed=9, as_of=AS_OF, chunk_size=100)
    generate(two, patients=300, seed=9, as_of=AS_OF, chunk_size=100, workers=2)
    assert _files(one) == _files(again) == _files(two)
    generate(again, patients=300, seed=10, as_of=AS_OF, chunk_size=100)
    assert _files(again)["Patient.000.ndjson"] != _files(one)["Patient.000.ndjson"]


def test_patient_content_depends_on_index_not_on_chunking(tmp_path: Path) -> None:
    generate(tmp_path / "a", patients=120, seed=4, as_of=AS_OF, chunk_size=120)
    generate(tmp_path / "b", patients=120, seed=4, as_of=AS_OF, chunk_size=50)
    a = (tmp_path / "a" / "Patient.000.ndjson").read_bytes()
    b = b"".join((tmp_path / "b" / f"Patient.{c:03d}.ndjson").read_bytes() for c in range(3))
    assert a == b


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_compressed_output_is_deterministic_and_holds_the_same_lines(tmp_path: Path, codec: str) -> None:
    generate(tmp_path / "plain", patients=80, seed=2, as_of=AS_OF, chunk_size=40)
    generate(tmp_path / "c1", patients=80, seed=2, as_of=AS_OF, compression=codec, workers=2, chunk_size=40)
    generate(tmp_path / "c2", patients=80, seed=2, as_of=AS_OF, compression=codec, chunk_size=40)
    assert _files(tmp_path / "c1") == _files(tmp_path / "c2")
    for path in (tmp_path / "c1").iterdir():
        assert path.name.endswith(".ndjson" + suffix(codec))
        plain = tmp_path / "plain" / path.name.removesuffix(suffix(codec))
        with path.open("rb") as raw, reading(raw, path.name) as stream:
            assert stream.read() == plain.read_bytes()


def test_an_unknown_compression_fails_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown compression 'lzma'; choose from"):
        generate(tmp_path / "x", patients=10, seed=1, as_of=AS_OF, compression="lzma", workers=2)
    assert not (tmp_path / "x").exists()


def test_rerun_replaces_the_previous_export(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("kept")
    generate(tmp_path, patients=30, seed=1, as_of=AS_OF, chunk_size=10)
    generate(tmp_path, patients=30, seed=1, as_of=AS_OF, chunk_size=30, compression="gzip")
    names = {p.name for p in tmp_path.iterdir()}
    assert "notes.txt" in names
    assert not any(n.endswith(".ndjson") or ".001." in n for n in names)


def test_resource_types_limit_the_files_but_not_their_content(tmp_path: Path) -> None:
    generate(tmp_path / "all", patients=60, seed=3, as_of=AS_OF)
    counts = generate(
        tmp_path / "some", patients=60, seed=3, as_of=AS_OF, resource_types=["Patient", "Condition"]
    )
    assert sorted(p.name for p in (tmp_path / "some").iterdir()) == [
        "Condition.000.ndjson",
        "Patient.000.ndjson",
    ]
    assert counts["Encounter"] == 0
    for name in ("Condition.000.ndjson", "Patient.000.ndjson"):
        assert (tmp_path / "some" / name).read_bytes() == (tmp_path / "all" / name).read_bytes()
    with pytest.raises(ValueError):
        generate(tmp_path / "bad", patients=1, seed=1, as_of=AS_OF, resource_types=["Bundle"])


def test_dates_move_with_the_as_of_day(tmp_path: Path) -> None:
    generate(tmp_path / "now", patients=40, seed=6, as_of=AS_OF, resource_types=["Encounter"])
    generate(tmp_path / "then", patients=40, seed=6, as_of=date(2020, 3, 1), resource_types=["Encounter"])
    now = (tmp_path / "now" / "Encounter.000.ndjson").read_text()
    then = (tmp_path / "then" / "Encounter.000.ndjson").read_text()
    assert '"2026-' in now and '"2026-' not in then and '"2020-0' in then


# --- the 10,000-patient population ----------------------------------------------------------------


def _tolerance(target: float) -> float:
    return max(0.02, 0.25 * target)


@pytest.mark.parametrize("spec", cat.CONDITIONS + cat.SOCIAL_NEEDS, ids=lambda s: s.key)
def test_prevalence_lands_near_its_target(population: Population, spec: cat.ConditionSpec) -> None:
    overall_target = sum(s * p for s, p in zip(cat.BAND_SHARE, spec.prevalence, strict=True))
    overall = population.prevalence(spec.key)
    assert abs(overall - overall_target) <= max(0.01, 0.15 * overall_target), (overall, overall_target)
    for band, target in enumerate(spec.prevalence):
        observed = population.prevalence(spec.key, band)
        assert abs(observed - target) <= _tolerance(target), (cat.BAND_LABELS[band], observed, target)


def test_age_and_sex_mix(population: Population) -> None:
    people = list(population.patients.values())
    for band, target in enumerate(cat.BAND_SHARE):
        assert abs(sum(p.band == band for p in people) / len(people) - target) < 0.015
    old = [p for p in people if p.band == len(cat.AGE_BANDS) - 1]
    assert sum(p.sex == "female" for p in old) / len(old) > 0.58
    assert 0.52 < sum(p.sex == "female" for p in people) / len(people) < 0.6


def test_co_occurrence_in_the_export(population: Population) -> None:
    people = list(population.patients.values())

    def p(key: str, given: str | None = None) -> float:
        group = [x for x in people if given is None or given in x.problems]
        return sum(key in x.problems for x in group) / len(group)

    assert p("hypertension", "diabetes") > p("hypertension") + 0.15
    assert p("ckd", "diabetes") > 1.5 * p("ckd")
    assert p("afib", "heart_failure") > 3 * p("afib")
    assert p("copd", "tobacco") > 2 * p("copd")
    assert p("depression", "heart_failure") > p("depression")
    assert p("homelessness", "oud") > 3 * p("homelessness")


def test_language_and_coding_mix(population: Population) -> None:
    people = list(population.patients.values())
    spanish = sum(p.language == "es" for p in people) / len(people)
    assert 0.105 < spanish < 0.135
    assert 0.01 < sum(p.language not in ("en", "es") for p in people) / len(people) < 0.04
    coded = [p for p in people if p.systems]
    assert all(len(p.systems) == 1 for p in coded)
    assert 0.46 < sum(cat.SNOMED in p.systems for p in coded) / len(coded) < 0.54


def test_utilization_rises_with_complexity(population: Population) -> None:
    people = list(population.patients.values())

    def acute_per_year(group: list) -> float:
        return sum(p.ed_visits + len(p.stays) for p in group) / len(group) / 2

    def cost(group: list) -> float:
        return sum(p.cost for p in group) / len(group)

    chronic = [len(p.problems & cat.CONDITION_BY_KEY.keys()) for p in people]
    buckets = [
        [p for p, n in zip(people, chronic, strict=True) if lo <= n <= hi]
        for lo, hi in ((0, 1), (2, 3), (4, 5), (6, 99))
    ]
    rates = [acute_per_year(b) for b in buckets]
    assert rates == sorted(rates) and rates[-1] > 3 * rates[0]
    costs = [cost(b) for b in buckets]
    assert costs == sorted(costs) and costs[-1] > 3 * costs[0]
    assert 0.3 < sum(p.ed_visits for p in people) / len(people) / 2 < 0.6  # ED visits per person-year
    assert 0.07 < sum(len(p.stays) for p in people) / len(people) / 2 < 0.16  # admissions per person-year


def test_inpatient_stays_discharges_and_readmissions(population: Population) -> None:
    people = list(population.patients.values())
    stays = [s for p in people for s in p.stays]
    los = sorted((end - start).days for start, end, _ in stays)
    assert 3.5 < sum(los) / len(los) < 6 and los[len(los) // 2] <= 4 and los[-1] >= 14
    readmissions = 0
    for p in people:
        ordered = sorted(p.stays)
        readmissions += sum(1 for a, b in zip(ordered, ordered[1:], strict=False) if (b[0] - a[1]).days <= 30)
    assert 0.08 < readmissions / len(stays) < 0.2
    recent = sum(any(0 <= (AS_OF - end).days <= 30 for _, end, _ in p.stays) for p in people) / len(people)
    assert 0.004 < recent < 0.02
    dispositions = [d for _, _, d in stays]
    assert 0.55 < dispositions.count("home") / len(dispositions) < 0.8
    assert dispositions.count("snf") > dispositions.count("rehab") > 0
    assert 0 < dispositions.count("exp") / len(dispositions) < 0.06
    deceased = sum(p.deceased for p in people) / len(people)
    assert 0.01 < deceased < 0.06


def test_coverage_mix(population: Population) -> None:
    people = list(population.patients.values())
    medicare = {"1", "11"}
    medicaid = {"2", "21"}
    dual = sum(bool(p.coverage & medicare and p.coverage & medicaid) for p in people) / len(people)
    medicare_only = sum(bool(p.coverage & medicare) and not p.coverage & medicaid for p in people) / len(
        people
    )
    medicaid_only = sum(bool(p.coverage & medicaid) and not p.coverage & medicare for p in people) / len(
        people
    )
    commercial = sum("5" in p.coverage for p in people) / len(people)
    uninsured = sum("pay" in p.coverage for p in people) / len(people)
    assert 0.07 < dual < 0.13 and 0.33 < medicare_only < 0.43
    assert 0.10 < medicaid_only < 0.18 and 0.3 < commercial < 0.42 and 0.01 < uninsured < 0.05
    assert all(p.coverage & medicare for p in people if p.age >= 65)


def test_population_size_and_resources_per_patient(population: Population) -> None:
    assert population.counts["Patient"] == len(population.patients) == N_PATIENTS
    per_patient = sum(population.counts.values()) / N_PATIENTS
    assert 25 <= per_patient <= 40

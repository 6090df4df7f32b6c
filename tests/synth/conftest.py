"""A 10,000-patient export shared by the synth tests, and a reader that summarises it per patient."""

import glob
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson
import pytest

from carenav.synth import catalog as cat
from carenav.synth.generate import generate

AS_OF = date(2026, 11, 24)
SEED = 20261124
N_PATIENTS = 10_000


def read_ndjson(directory: Path, resource_type: str) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(glob.glob(str(directory / f"{resource_type}.*.ndjson"))):
        with open(path, "rb") as handle:
            rows.extend(orjson.loads(line) for line in handle)
    return rows


def condition_key(coding: dict) -> str | None:
    """The catalogue key (condition or social need) a coded problem-list entry stands for."""
    return _CODE_TO_KEY.get((coding["system"], coding["code"]))


_CODE_TO_KEY: dict[tuple[str, str], str] = {}
for _spec in cat.CONDITIONS + cat.SOCIAL_NEEDS:
    for _variant in _spec.variants:
        for _code in (_variant.icd, _variant.snomed):
            if _code is not None:
                _CODE_TO_KEY.setdefault((_code.system, _code.code), _spec.key)


@dataclass
class PatientFacts:
    age: int
    band: int
    sex: str
    language: str
    deceased: bool
    problems: set[str] = field(default_factory=set)
    systems: set[str] = field(default_factory=set)
    ed_visits: int = 0
    stays: list[tuple[date, date, str]] = field(default_factory=list)
    cost: float = 0.0
    coverage: set[str] = field(default_factory=set)


@dataclass
class Population:
    directory: Path
    counts: dict[str, int]
    patients: dict[str, PatientFacts]

    def prevalence(self, key: str, band: int | None = None) -> float:
        group = [p for p in self.patients.values() if band is None or p.band == band]
        return sum(key in p.problems for p in group) / len(group)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def summarise(directory: Path, counts: dict[str, int]) -> Population:
    patients: dict[str, PatientFacts] = {}
    for p in read_ndjson(directory, "Patient"):
        age = age_on(date.fromisoformat(p["birthDate"]), AS_OF)
        band = next(i for i, (lo, hi) in enumerate(cat.AGE_BANDS) if lo <= age <= hi)
        language = p["communication"][0]["language"]["coding"][0]["code"]
        patients[p["id"]] = PatientFacts(age, band, p["gender"], language, "deceasedDateTime" in p)
    for c in read_ndjson(directory, "Condition"):
        if c["category"][0]["coding"][0]["code"] != "problem-list-item":
            continue
        facts = patients[c["subject"]["reference"].removeprefix("Patient/")]
        coding = c["code"]["coding"][0]
        key = condition_key(coding)
        assert key is not None, coding
        facts.problems.add(key)
        if key in cat.CONDITION_BY_KEY:
            facts.systems.add(coding["system"])
    for e in read_ndjson(directory, "Encounter"):
        facts = patients[e["subject"]["reference"].removeprefix("Patient/")]
        if e["class"]["code"] == "EMER":
            facts.ed_visits += 1
        elif e["class"]["code"] == "IMP":
            start = date.fromisoformat(e["period"]["start"][:10])
            end = date.fromisoformat(e["period"]["end"][:10])
            disposition = e["hospitalization"]["dischargeDisposition"]["coding"][0]["code"]
            facts.stays.append((start, end, disposition))
    for claim in read_ndjson(directory, "Claim"):
        patients[claim["patient"]["reference"].removeprefix("Patient/")].cost += claim["total"]["value"]
    by_patient: dict[str, set[str]] = defaultdict(set)
    for coverage in read_ndjson(directory, "Coverage"):
        by_patient[coverage["beneficiary"]["reference"].removeprefix("Patient/")].add(
            coverage["type"]["coding"][0]["code"]
        )
    for pid, codes in by_patient.items():
        patients[pid].coverage = codes
    return Population(directory, counts, patients)


@pytest.fixture(scope="session")
def population(tmp_path_factory: pytest.TempPathFactory) -> Population:
    directory = tmp_path_factory.mktemp("synth10k")
    counts = generate(directory, patients=N_PATIENTS, seed=SEED, as_of=AS_OF)
    return summarise(directory, counts)

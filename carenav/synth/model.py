"""Sampling of one synthetic person: who they are, what they have, how they use care.

Pure functions of a seeded ``random.Random``; nothing here knows about FHIR. fhir.py turns a
``Person`` into resources. Dates are proleptic Gregorian ordinals (``date.toordinal()``), so the
whole timeline is integer arithmetic relative to the export's as-of day.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date
from statistics import NormalDist

from carenav.synth import catalog as cat
from carenav.synth.demographics import CITIES, NAME_GROUPS, NameGroup

WINDOW_DAYS = 730  # utilization history: the two years before the as-of day
N_FACTORS = len(cat.FACTORS)
_inv_cdf = NormalDist().inv_cdf


def _threshold(p: float) -> float:
    if p <= 0.0:
        return math.inf
    if p >= 1.0:
        return -math.inf
    return _inv_cdf(1.0 - p)


def _sex_split(p: float, female_share: float, male_ratio: float) -> tuple[float, float]:
    """Prevalence in women and men such that the band's mix averages to ``p``."""
    pf = p / (female_share + (1.0 - female_share) * male_ratio)
    return min(pf, 0.98), min(pf * male_ratio, 0.98)


@dataclass(frozen=True, slots=True)
class _Liability:
    """Precomputed liability model of one condition: loadings, residual s.d., thresholds[band][sex]."""

    spec: cat.ConditionSpec
    loadings: tuple[tuple[int, float], ...]
    residual: float
    thresholds: tuple[tuple[float, float], ...]  # (female, male) per band
    conditional: tuple[tuple[float, float], ...]  # P(child | parent), for conditions with a parent
    variant_weights: tuple[tuple[float, ...], tuple[float, ...]]  # cumulative, female / male


def _split_prevalence(spec: cat.ConditionSpec) -> tuple[tuple[float, float], ...]:
    return tuple(
        _sex_split(spec.prevalence[b], cat.BAND_FEMALE[b], spec.male_ratio) for b in range(len(cat.AGE_BANDS))
    )


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    total = sum(weights)
    acc, out = 0.0, []
    for w in weights:
        acc += w
        out.append(acc / total if total else 0.0)
    return tuple(out)


def _liability(spec: cat.ConditionSpec, parents: dict[str, cat.ConditionSpec]) -> _Liability:
    loadings = tuple(sorted(spec.loadings.items()))
    residual = math.sqrt(1.0 - sum(v * v for _, v in loadings))
    split = _split_prevalence(spec)
    thresholds = tuple((_threshold(f), _threshold(m)) for f, m in split)
    conditional: tuple[tuple[float, float], ...] = ()
    if spec.parent:
        parent_split = _split_prevalence(parents[spec.parent])
        conditional = tuple(
            (min(1.0, f / pf) if pf else 0.0, min(1.0, m / pm) if pm else 0.0)
            for (f, m), (pf, pm) in zip(split, parent_split, strict=True)
        )
    female = [0.0 if v.sex == "male" else v.weight for v in spec.variants]
    male = [0.0 if v.sex == "female" else v.weight for v in spec.variants]
    return _Liability(
        spec, loadings, residual, thresholds, conditional, (_cumulative(female), _cumulative(male))
    )


_CONDITIONS = tuple(_liability(s, cat.CONDITION_BY_KEY) for s in cat.CONDITIONS)
_SOCIAL = tuple(_liability(s, cat.SOCIAL_BY_KEY) for s in cat.SOCIAL_NEEDS)
_ALONE = _liability(
    cat.ConditionSpec(
        "lives_alone",
        "Lives alone",
        cat.LIVES_ALONE,  # type: ignore[arg-type]
        (),
        cat.LIVES_ALONE_LOADINGS,
        male_ratio=cat.LIVES_ALONE_MALE_RATIO,
    ),
    {},
)
_BAND_CUM = _cumulative(list(cat.BAND_SHARE))
_GROUP_CUM = _cumulative([g.share for g in NAME_GROUPS])
_MORTALITY = (0.001, 0.004, 0.011, 0.028, 0.085)  # annual, by band, before complexity


@dataclass(slots=True)
class Visit:
    """One encounter on the timeline (ordinal days; ``end`` equals ``start`` for same-day visits)."""

    cls: str  # AMB, VR, HH, EMER, IMP
    kind: str  # key of catalog.ENCOUNTER_TYPES
    start: int
    end: int
    hour: int
    dx: cat.AcuteDx | None = None  # principal (acute) diagnosis
    reason: str | None = None  # condition key for follow-up visits
    priority: str = "R"
    admit_source: str | None = None
    disposition: str | None = None
    procedure: str | None = None
    readmission: bool = False


@dataclass(slots=True)
class CoverageFact:
    kind: str  # key of catalog.PAYER_TYPES
    plan: str
    start: int
    order: int = 1


@dataclass(slots=True)
class SocialNeed:
    key: str
    variant: cat.Variant
    onset: int
    abatement: int | None


@dataclass(slots=True)
class Person:
    index: int
    as_of: int
    age: int
    band: int
    sex: str
    birth: int
    factors: list[float]
    prefers_snomed: bool
    group: NameGroup
    language: str
    city: int
    lives_alone: bool
    marital: str
    conditions: dict[str, cat.Variant] = field(default_factory=dict)
    onset: dict[str, int] = field(default_factory=dict)
    social: list[SocialNeed] = field(default_factory=list)
    coverage: list[CoverageFact] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    complexity: float = 0.0
    death: int | None = None
    caregiver: str | None = None  # v3-RoleCode of the informal caregiver
    has_contact: bool = False


def _pick(rng: random.Random, cumulative: tuple[float, ...]) -> int:
    u = rng.random()
    for i, c in enumerate(cumulative):
        if u < c:
            return i
    return len(cumulative) - 1


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0.0:
        return 0
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _birth_ordinal(rng: random.Random, as_of: date, age: int) -> int:
    """A birth date at which the person is exactly ``age`` on the as-of day."""

    def anniversary(years_back: int) -> int:
        y = as_of.year - years_back
        day = as_of.day if not (as_of.month == 2 and as_of.day == 29) else 28
        return date(y, as_of.month, day).toordinal()

    lo = anniversary(age + 1) + 1
    hi = anniversary(age)
    return lo + int(rng.random() * (hi - lo + 1))


def _weekday(day: int, last: int) -> int:
    """Move a Saturday or Sunday office visit to the nearest weekday not after ``last``."""
    wd = (day - 1) % 7  # date.fromordinal(1) is a Monday
    if wd == 5:
        day = day + 2 if day + 2 <= last else day - 1
    elif wd == 6:
        day = day + 1 if day + 1 <= last else day - 2
    return day


def _liable(rng: random.Random, model: _Liability, factors: list[float], band: int, male: int) -> bool:
    z = model.residual * rng.gauss(0.0, 1.0)
    for k, w in model.loadings:
        z += w * factors[k]
    return z > model.thresholds[band][male]


def sample_person(rng: random.Random, index: int, as_of: date) -> Person:
    as_of_ord = as_of.toordinal()
    band = _pick(rng, _BAND_CUM)
    lo, hi = cat.AGE_BANDS[band]
    if band == len(cat.AGE_BANDS) - 1:
        age = min(hi, lo + int(rng.expovariate(1 / 5.5)))
    else:
        age = lo + int(rng.random() * (hi - lo + 1))
    male = 0 if rng.random() < cat.BAND_FEMALE[band] else 1
    factors = [rng.gauss(0.0, 1.0) for _ in range(N_FACTORS)]
    group = NAME_GROUPS[_pick(rng, _GROUP_CUM)]
    if group.cities and rng.random() < 0.7:
        city = group.cities[int(rng.random() * len(group.cities))]
    else:
        city = int(rng.random() * len(CITIES))
    language = group.language if group.language and rng.random() < group.language_share else "en"
    lives_alone = _liable(rng, _ALONE, factors, band, male)
    person = Person(
        index=index,
        as_of=as_of_ord,
        age=age,
        band=band,
        sex="male" if male else "female",
        birth=_birth_ordinal(rng, as_of, age),
        factors=factors,
        prefers_snomed=rng.random() < 0.5,
        group=group,
        language=language,
        city=city,
        lives_alone=lives_alone,
        marital=_marital(rng, age, lives_alone),
    )
    _sample_conditions(rng, person)
    _sample_social(rng, person)
    _sample_coverage(rng, person)
    _sample_support(rng, person)
    _sample_utilization(rng, person)
    return person


def _marital(rng: random.Random, age: int, alone: bool) -> str:
    # v3-MaritalStatus: M married, S never married, D divorced, W widowed.
    options: tuple[tuple[str, float], ...]
    if age < 35:
        options = (("M", 0.30), ("S", 0.65), ("D", 0.05))
    elif age < 65:
        options = (("M", 0.55), ("S", 0.25), ("D", 0.15), ("W", 0.05))
    elif age < 80:
        options = (("M", 0.55), ("W", 0.20), ("D", 0.15), ("S", 0.10))
    else:
        options = (("M", 0.35), ("W", 0.50), ("D", 0.08), ("S", 0.07))
    if alone:
        options = tuple(o for o in options if o[0] != "M")
    total = sum(w for _, w in options)
    u = rng.random() * total
    for code, w in options:
        u -= w
        if u < 0:
            return code
    return options[-1][0]


def _variant(rng: random.Random, model: _Liability, male: int) -> cat.Variant:
    return model.spec.variants[_pick(rng, model.variant_weights[male])]


def _onset(rng: random.Random, person: Person, max_years: float = 20.0) -> int:
    span = max(0.3, min(max_years, person.age - 17.5))
    years = span * rng.random() ** 1.4
    return person.as_of - 30 - int(years * 365.25)


def _sample_conditions(rng: random.Random, person: Person) -> None:
    male = 1 if person.sex == "male" else 0
    band, factors = person.band, person.factors
    for model in _CONDITIONS:
        spec = model.spec
        if spec.parent:
            if spec.parent not in person.conditions or rng.random() >= model.conditional[band][male]:
                continue
        elif not _liable(rng, model, factors, band, male):
            continue
        person.conditions[spec.key] = _variant(rng, model, male)
        if spec.parent:
            parent_onset = person.onset[spec.parent]
            person.onset[spec.key] = parent_onset + int(rng.random() * (person.as_of - 30 - parent_onset))
        else:
            person.onset[spec.key] = _onset(rng, person, 8.0 if spec.key in ("dementia", "cancer") else 20.0)
    diabetes = person.conditions.get("diabetes")
    if diabetes is not None:
        variants = {v.tag: v for v in cat.CONDITION_BY_KEY["diabetes"].variants}
        if rng.random() < 0.05:
            person.conditions["diabetes"] = variants["t1"]
        elif "ckd" in person.conditions and rng.random() < 0.7:
            person.conditions["diabetes"] = variants["t2-ckd"]
    c = sum(cat.CONDITION_BY_KEY[k].weight for k in person.conditions)
    if "ckd" in person.conditions and person.conditions["ckd"].tag in ("4", "5", "esrd"):
        c += 1.0
    person.complexity = max(0.0, c + 0.35 * factors[cat.F_FRAILTY])


def _sample_social(rng: random.Random, person: Person) -> None:
    male = 1 if person.sex == "male" else 0
    for model in _SOCIAL:
        if not _liable(rng, model, person.factors, person.band, male):
            continue
        onset = person.as_of - 1 - int(rng.random() * WINDOW_DAYS)
        abatement = None
        if rng.random() < 0.2 and person.as_of - onset > 60:
            abatement = onset + 30 + int(rng.random() * (person.as_of - onset - 31))
        person.social.append(SocialNeed(model.spec.key, _variant(rng, model, male), onset, abatement))
    if any(n.key == "homelessness" and n.abatement is None for n in person.social):
        person.complexity += 0.6


def _coverage_liability(
    rng: random.Random, person: Person, p: float, loadings: tuple[tuple[int, float], ...]
) -> bool:
    residual = math.sqrt(1.0 - sum(w * w for _, w in loadings))
    z = residual * rng.gauss(0.0, 1.0) + sum(w * person.factors[k] for k, w in loadings)
    return z > _threshold(p)


def _sample_coverage(rng: random.Random, person: Person) -> None:
    b = person.band
    esrd = person.conditions.get("ckd") is not None and person.conditions["ckd"].tag == "esrd"
    disabled = person.age < 65 and (
        esrd
        or _coverage_liability(
            rng, person, cat.MEDICARE_DISABLED[b], ((cat.F_FRAILTY, 0.5), (cat.F_BEHAVIORAL, 0.4))
        )
    )
    years_adult = max(1, person.age - 18)
    if person.age >= 65 or disabled:
        if person.age >= 65:
            start = _anniversary_of(person.birth, 65)
        else:
            start = person.as_of - int(rng.random() * min(10, years_adult) * 365.25) - 30
        dual = _coverage_liability(rng, person, cat.DUAL_AMONG_MEDICARE[b], ((cat.F_DEPRIVATION, 0.8),))
        advantage = rng.random() < cat.MEDICARE_ADVANTAGE_SHARE
        if advantage:
            plan = cat.MEDICARE_ADVANTAGE_PLANS[int(rng.random() * len(cat.MEDICARE_ADVANTAGE_PLANS))]
            person.coverage.append(CoverageFact("medicare_advantage", plan, start))
        else:
            person.coverage.append(CoverageFact("medicare", "Medicare", start))
        if dual:
            medicaid_start = start + int(rng.random() * max(1, person.as_of - 60 - start))
            plan = cat.MEDICAID_PLANS[int(rng.random() * len(cat.MEDICAID_PLANS))]
            person.coverage.append(CoverageFact("medicaid_managed", plan, medicaid_start, order=2))
        return
    medicaid_share = cat.MEDICAID_UNDER_65[b] / (1.0 - cat.MEDICARE_DISABLED[b])
    start = person.as_of - int(rng.random() * min(8, years_adult) * 365.25) - 30
    if _coverage_liability(rng, person, medicaid_share, ((cat.F_DEPRIVATION, 0.8), (cat.F_FRAILTY, 0.2))):
        if rng.random() < 0.8:
            plan = cat.MEDICAID_PLANS[int(rng.random() * len(cat.MEDICAID_PLANS))]
            person.coverage.append(CoverageFact("medicaid_managed", plan, start))
        else:
            person.coverage.append(CoverageFact("medicaid", "State Medicaid", start))
        return
    uninsured_share = cat.UNINSURED_UNDER_65[b] / (1.0 - cat.MEDICARE_DISABLED[b] - cat.MEDICAID_UNDER_65[b])
    if _coverage_liability(rng, person, uninsured_share, ((cat.F_DEPRIVATION, 0.5),)):
        person.coverage.append(CoverageFact("self_pay", "Self-pay", start))
        return
    plan = cat.COMMERCIAL_PLANS[int(rng.random() * len(cat.COMMERCIAL_PLANS))]
    year_start = date.fromordinal(start).replace(month=1, day=1).toordinal()
    person.coverage.append(CoverageFact("commercial", plan, year_start))


def _anniversary_of(birth: int, years: int) -> int:
    d = date.fromordinal(birth)
    day = 28 if (d.month == 2 and d.day == 29) else d.day
    return date(d.year + years, d.month, day).toordinal()


def needs_support(person: Person) -> bool:
    """Whether daily life likely depends on someone else (drives informal caregivers)."""
    has = person.conditions
    return (
        "dementia" in has
        or "hemiplegia" in has
        or person.age >= 85
        or (person.age >= 75 and person.factors[cat.F_FRAILTY] > 1.0)
        or (person.age >= 75 and ("heart_failure" in has or "copd" in has) and person.complexity > 4)
    )


def _sample_support(rng: random.Random, person: Person) -> None:
    # P(informal caregiver) by (needs support, lives alone).
    p = {(True, False): 0.78, (True, True): 0.45, (False, False): 0.14, (False, True): 0.06}
    if rng.random() < p[(needs_support(person), person.lives_alone)]:
        if person.marital == "M" and rng.random() < 0.7:
            person.caregiver = "SPS"
        elif person.age >= 60:
            person.caregiver = ("DAUC", "DAUC", "SONC", "GRNDDAU", "SIS", "FRND", "NBOR")[
                int(rng.random() * 7)
            ]
        else:
            person.caregiver = ("SIS", "BRO", "FRND", "MTH", "DAUC", "SONC")[int(rng.random() * 6)]
    person.has_contact = person.caregiver is not None or rng.random() < 0.45


# --- utilization -----------------------------------------------------------------------------


def _acute_weights(person: Person, admission: bool) -> tuple[list[cat.AcuteDx], list[float]]:
    options, weights = [], []
    for dx in cat.ACUTE:
        if admission and dx.ed_only:
            continue
        if person.age < dx.min_age:
            continue
        w = dx.base_weight + sum(v for k, v in dx.boosts.items() if k in person.conditions)
        if not admission and dx.elective:
            continue
        if w > 0:
            options.append(dx)
            weights.append(w)
    return options, weights


def _choose(rng: random.Random, options: list[cat.AcuteDx], weights: list[float]) -> cat.AcuteDx:
    u = rng.random() * sum(weights)
    for dx, w in zip(options, weights, strict=True):
        u -= w
        if u < 0:
            return dx
    return options[-1]


def _length_of_stay(rng: random.Random, person: Person, dx: cat.AcuteDx, elective: bool) -> int:
    if elective:
        median = 2.2
    elif dx.service == "psychiatry":
        median = 6.0
    elif dx.key in ("hip_fracture", "sepsis", "stroke_acute"):
        median = 5.0
    else:
        median = 3.2
    median *= 1.0 + 0.04 * min(person.complexity, 10.0)
    return max(1, min(60, round(math.exp(rng.gauss(math.log(median), 0.6)))))


def _disposition(rng: random.Random, person: Person, dx: cat.AcuteDx) -> str:
    w = {
        "home": 0.70,
        "snf": 0.08,
        "rehab": 0.03,
        "alt-home": 0.03,
        "other-hcf": 0.015,
        "long": 0.01,
        "hosp": 0.01,
        "aadvice": 0.015,
        "psy": 0.0,
        "oth": 0.01,
    }
    if person.age >= 75:
        w["snf"] += 0.10
        w["rehab"] += 0.03
        w["hosp"] += 0.02
    if "dementia" in person.conditions:
        w["snf"] += 0.08
        w["long"] += 0.05
    if "metastatic" in person.conditions:
        w["hosp"] += 0.15
    if "aud" in person.conditions or "oud" in person.conditions:
        w["aadvice"] += 0.07
    if dx.service == "psychiatry":
        w["psy"] += 0.15
    if dx.key in ("hip_fracture", "stroke_acute"):
        w["rehab"] += 0.25
        w["snf"] += 0.20
    u = rng.random() * sum(w.values())
    for code, weight in w.items():
        u -= weight
        if u < 0:
            return code
    return "home"


def _sample_utilization(rng: random.Random, person: Person) -> None:
    c = person.complexity
    start = person.as_of - WINDOW_DAYS
    last = person.as_of - 1
    annual_mortality = _MORTALITY[person.band] * math.exp(0.25 * (c - 1.5))
    in_hospital_death = False
    if rng.random() < 1.0 - math.exp(-2.0 * min(annual_mortality, 0.6)):
        person.death = start + int(rng.random() * WINDOW_DAYS)
        last = person.death
        in_hospital_death = rng.random() < 0.25
        _end_record_at_death(person, person.death)
    years = (last - start + 1) / 365.25
    homeless = any(n.key == "homelessness" and n.abatement is None for n in person.social)
    ed_rate = min(8.0, 0.26 * math.exp(0.30 * c) * (1.6 if homeless else 1.0))
    amb_rate = min(10.0, 1.2 + 0.5 * len(person.conditions) + 0.25 * c)
    stays = _inpatient_stays(rng, person, start, last, in_hospital_death)

    occupied: set[int] = set()
    for s in stays:
        occupied.update(range(s.start, s.end + 1))
    visits: list[Visit] = list(stays)

    ed_options, ed_weights = _acute_weights(person, admission=False)
    for _ in range(_poisson(rng, ed_rate * years)):
        day = start + int(rng.random() * (last - start + 1))
        if day in occupied:
            continue
        dx = _choose(rng, ed_options, ed_weights)
        visits.append(Visit("EMER", "emergency", day, day, _hour(rng, True), dx, None, "EM"))

    chronic = list(person.conditions)
    for _ in range(_poisson(rng, amb_rate * years)):
        day = _weekday(start + int(rng.random() * (last - start + 1)), last)
        if day in occupied:
            continue
        u = rng.random()
        if u < 0.12:
            visit = Visit("VR", "telehealth", day, day, _hour(rng, False))
            visit.reason = chronic[int(rng.random() * len(chronic))] if chronic else None
        elif u < 0.35 or not chronic:
            visit = Visit("AMB", "checkup", day, day, _hour(rng, False))
        elif u < 0.48:
            key = cat.OFFICE_ACUTE[int(rng.random() * len(cat.OFFICE_ACUTE))]
            visit = Visit("AMB", "problem", day, day, _hour(rng, False), cat.ACUTE_BY_KEY[key])
        else:
            visit = Visit("AMB", "followup", day, day, _hour(rng, False))
            visit.reason = chronic[int(rng.random() * len(chronic))]
        visits.append(visit)

    for stay in stays:
        if stay.disposition in ("home", "alt-home") and rng.random() < 0.6:
            day = _weekday(stay.end + 3 + int(rng.random() * 12), last)
            if day <= last and day not in occupied:
                visits.append(Visit("AMB", "followup", day, day, _hour(rng, False), stay.dx))

    if needs_support(person) and person.age >= 75:
        for _ in range(_poisson(rng, 2.5 * years / 2.0)):
            day = _weekday(start + int(rng.random() * (last - start + 1)), last)
            if day not in occupied:
                visits.append(Visit("HH", "home", day, day, _hour(rng, False)))

    visits.sort(key=lambda v: (v.start, v.hour, v.cls))
    person.visits = visits


def _inpatient_stays(
    rng: random.Random, person: Person, start: int, last: int, in_hospital_death: bool
) -> list[Visit]:
    """Non-overlapping stays between ``start`` and ``last``, with 30-day readmissions and, for
    a death in hospital, a final stay ending on the day of death."""
    c = person.complexity
    years = (last - start + 1) / 365.25
    ip_rate = min(3.5, 0.05 * math.exp(0.36 * c))
    readmit_p = min(0.35, 0.08 + 0.022 * c)
    stays: list[Visit] = []
    ip_last = last
    final_stay: Visit | None = None
    if in_hospital_death and person.death is not None:
        options, weights = _acute_weights(person, admission=True)
        kept = [(o, w) for o, w in zip(options, weights, strict=True) if not o.elective]
        dx = _choose(rng, [o for o, _ in kept], [w for _, w in kept])
        los = _length_of_stay(rng, person, dx, False)
        if person.death - los > start:
            final_stay = Visit(
                "IMP", "inpatient", person.death - los, person.death, _hour(rng, True), dx, None, "EM"
            )
            final_stay.admit_source = "emd"
            final_stay.disposition = "exp"
            ip_last = person.death - los - 2
    planned = sorted(
        start + int(rng.random() * (ip_last - start + 1)) for _ in range(_poisson(rng, ip_rate * years))
    )
    cursor = start - 1
    pending: int | None = None
    ip_options, ip_weights = _acute_weights(person, admission=True)
    i = 0
    while i < len(planned) or pending is not None:
        readmission = pending is not None
        if pending is not None:
            admit, pending = pending, None
        else:
            admit = planned[i]
            i += 1
            if admit <= cursor:
                admit = cursor + 1 + int(rng.random() * 20)
        dx = _choose(rng, ip_options, ip_weights)
        elective = dx.elective and not readmission
        if dx.elective and readmission:
            dx = cat.ACUTE_BY_KEY["pneumonia"]
        los = _length_of_stay(rng, person, dx, elective)
        discharge = admit + los
        if discharge > ip_last:
            break
        stay = Visit(
            "IMP", "inpatient", admit, discharge, _hour(rng, not elective), dx, readmission=readmission
        )
        if elective:
            stay.priority, stay.admit_source = "EL", ("gp", "mp", "outp")[int(rng.random() * 3)]
        elif rng.random() < 0.82 or readmission:
            stay.priority, stay.admit_source = "EM", "emd"
        else:
            stay.priority = "UR"
            stay.admit_source = (
                "nursing"
                if person.age >= 80 and rng.random() < 0.3
                else ("gp", "outp")[int(rng.random() * 2)]
            )
        stay.disposition = _disposition(rng, person, dx)
        if dx.procedures and (elective or rng.random() < 0.35):
            stay.procedure = dx.procedures[int(rng.random() * len(dx.procedures))]
        stays.append(stay)
        cursor = discharge
        if stay.disposition not in ("hosp", "other-hcf") and rng.random() < readmit_p:
            gap = 1 + min(29, int(rng.expovariate(1 / 9.0)))
            if discharge + gap + 1 <= ip_last:
                pending = discharge + gap
    if final_stay is not None:
        stays.append(final_stay)
    return stays


def _end_record_at_death(person: Person, death: int) -> None:
    """Nothing starts after death: diagnoses, needs and coverage are moved back to the day before."""
    for key, onset in person.onset.items():
        person.onset[key] = min(onset, death - 1)
    for need in person.social:
        need.onset = min(need.onset, death - 1)
        if need.abatement is not None and need.abatement >= death:
            need.abatement = None
    for fact in person.coverage:
        fact.start = min(fact.start, death - 1)


def _hour(rng: random.Random, around_the_clock: bool) -> int:
    if around_the_clock:
        return int(rng.random() * 24)
    return 8 + int(rng.random() * 9)

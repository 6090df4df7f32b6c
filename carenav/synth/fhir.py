"""Rendering of a sampled ``Person`` as FHIR R4 resources (plain dicts, ready for orjson).

The incidental details (names, phone numbers, lab values, times of day) are drawn here from the same
per-patient random stream, after the model has drawn the clinical facts, so one patient's output
depends only on (seed, index, as-of day). Constant fragments (codings, categories) are built once
and shared between resources; they must never be mutated.
"""

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import date

from carenav.synth import catalog as cat
from carenav.synth.demographics import CITIES, LANGUAGES, STREET_SUFFIXES, STREETS
from carenav.synth.model import Person, Visit

RESOURCE_TYPES = (
    "Patient",
    "RelatedPerson",
    "Coverage",
    "Condition",
    "Encounter",
    "Observation",
    "MedicationRequest",
    "Procedure",
    "Claim",
)
MRN_SYSTEM = "urn:carenav:synth:mrn"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"

Resource = dict[str, object]
Category = Sequence[Mapping[str, object]]


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def _concept(system: str, code: str, display: str, text: str | None = None) -> dict[str, object]:
    concept: dict[str, object] = {"coding": [_coding(system, code, display)]}
    if text:
        concept["text"] = text
    return concept


_CONCEPTS: dict[cat.Code, dict[str, object]] = {}


def concept(code: cat.Code) -> dict[str, object]:
    """The shared CodeableConcept of a catalogue code."""
    found = _CONCEPTS.get(code)
    if found is None:
        found = _CONCEPTS[code] = _concept(code.system, code.code, code.display)
    return found


CLINICAL = {
    s: _concept(TERMINOLOGY + "condition-clinical", s, s.capitalize()) for s in ("active", "resolved")
}
CONFIRMED = _concept(TERMINOLOGY + "condition-ver-status", "confirmed", "Confirmed")
PROBLEM = _coding(TERMINOLOGY + "condition-category", "problem-list-item", "Problem List Item")
CAT_PROBLEM = [{"coding": [PROBLEM]}]
CAT_ENCOUNTER_DX = [
    {"coding": [_coding(TERMINOLOGY + "condition-category", "encounter-diagnosis", "Encounter Diagnosis")]}
]
CAT_SDOH = [
    {"coding": [PROBLEM]},
    {"coding": [_coding("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "sdoh", "SDOH")]},
]
CAT_LAB = [{"coding": [_coding(TERMINOLOGY + "observation-category", "laboratory", "Laboratory")]}]
CAT_VITALS = [{"coding": [_coding(TERMINOLOGY + "observation-category", "vital-signs", "Vital Signs")]}]
INTERPRETATION = {
    code: [_concept(TERMINOLOGY + "v3-ObservationInterpretation", code, display)]
    for code, display in (("H", "High"), ("L", "Low"))
}
MRN_TYPE = _concept(TERMINOLOGY + "v2-0203", "MR", "Medical record number", "MRN")
MARITAL = {
    code: _concept(TERMINOLOGY + "v3-MaritalStatus", code, display)
    for code, display in (("M", "Married"), ("S", "Never Married"), ("D", "Divorced"), ("W", "Widowed"))
}
COMMUNICATION = {
    code: [{"language": _concept("urn:ietf:bcp:47", code, name, name), "preferred": True}]
    for code, name in LANGUAGES.items()
}
EMERGENCY_CONTACT = [_concept(TERMINOLOGY + "v2-0131", "C", "Emergency Contact")]
ROLES = {
    "SPS": ("spouse", None),
    "DAUC": ("daughter", "female"),
    "SONC": ("son", "male"),
    "GRNDDAU": ("granddaughter", "female"),
    "SIS": ("sister", "female"),
    "BRO": ("brother", "male"),
    "MTH": ("mother", "female"),
    "FRND": ("unrelated friend", None),
    "NBOR": ("neighbor", None),
}
ROLE_CONCEPTS = {
    code: _concept(TERMINOLOGY + "v3-RoleCode", code, display) for code, (display, _) in ROLES.items()
}
CAREGIVER = _concept(cat.SNOMED, "133932002", "Caregiver (person)", "Informal caregiver")
SELF = _concept(TERMINOLOGY + "subscriber-relationship", "self", "Self")
ENCOUNTER_CLASS = {
    code: _coding(TERMINOLOGY + "v3-ActCode", code, display)
    for code, display in (
        ("AMB", "ambulatory"),
        ("EMER", "emergency"),
        ("IMP", "inpatient encounter"),
        ("HH", "home health"),
        ("VR", "virtual"),
    )
}
ENCOUNTER_TYPE = {k: [concept(v)] for k, v in cat.ENCOUNTER_TYPES.items()}
SERVICE_TYPE = {k: concept(v) for k, v in cat.SERVICES.items()}
PRIORITY = {k: _concept(TERMINOLOGY + "v3-ActPriority", k, v) for k, v in cat.PRIORITIES.items()}
ADMIT_SOURCE = {k: _concept(TERMINOLOGY + "admit-source", k, v) for k, v in cat.ADMIT_SOURCES.items()}
DISPOSITION = {k: _concept(TERMINOLOGY + "discharge-disposition", k, v) for k, v in cat.DISPOSITIONS.items()}
DIAGNOSIS_ROLE = {
    code: _concept(TERMINOLOGY + "diagnosis-role", code, display)
    for code, display in (("DD", "Discharge diagnosis"), ("CM", "Comorbidity diagnosis"))
}
CLAIM_TYPE = {
    k: _concept(TERMINOLOGY + "claim-type", k, k.capitalize()) for k in ("institutional", "professional")
}
CLAIM_PRIORITY = _concept(TERMINOLOGY + "processpriority", "normal", "Normal")
PRINCIPAL_DX = [_concept(TERMINOLOGY + "ex-diagnosistype", "principal", "Principal Diagnosis")]
REVENUE = "https://www.nubc.org/CodeSystem/RevenueCodes"
CPT = "http://www.ama-assn.org/go/cpt"
SERVICE_CODE = {
    "IMP": {"coding": [{"system": REVENUE, "code": "0120"}], "text": "Room and board, semi-private"},
    "EMER": {"coding": [{"system": REVENUE, "code": "0450"}], "text": "Emergency room"},
    "AMB": {"coding": [{"system": CPT, "code": "99214"}], "text": "Office visit, established patient"},
    "VR": {"coding": [{"system": CPT, "code": "99213"}], "text": "Telehealth visit, established patient"},
    "HH": {"coding": [{"system": CPT, "code": "99349"}], "text": "Home visit, established patient"},
}
# Principal diagnosis of visits without a problem of their own.
ROUTINE_DX = {
    "checkup": cat.icd("Z00.00", "Encounter for general adult medical examination without abnormal findings"),
    "home": cat.icd("Z74.1", "Need for assistance with personal care"),
    "telehealth": cat.icd("Z71.89", "Other specified counseling"),
    "followup": cat.icd(
        "Z09",
        "Encounter for follow-up examination after completed treatment for conditions other than malignant neoplasm",
    ),
}
PAYER_TYPE = {
    k: _concept(system, code, display, text) for k, (system, code, display, text) in cat.PAYER_TYPES.items()
}
DRUG_CONCEPT = {k: _concept(cat.RXNORM, d.rxcui, d.display) for k, d in cat.DRUGS.items()}
DOSAGE = {
    k: [
        {
            "sequence": 1,
            "text": d.sig,
            "timing": {"repeat": {"frequency": d.frequency, "period": d.period, "periodUnit": d.period_unit}},
            "asNeededBoolean": d.as_needed,
            "doseAndRate": [{"doseQuantity": {"value": d.dose, "unit": d.dose_unit}}],
        }
    ]
    for k, d in cat.DRUGS.items()
}
LAB_CONCEPT = {
    k: _concept(v.code.system, v.code.code, v.code.display, v.label)
    for k, v in {**cat.LABS, **cat.VITALS}.items()
}
HOSPITALS = (
    "{} General Hospital",
    "St. Joseph Medical Center of {}",
    "{} Regional Medical Center",
    "Mercy Hospital {}",
)
CLINICS = ("{} Family Medicine", "{} Internal Medicine Associates", "Community Health Center of {}")


class Renderer:
    """Turns people into FHIR resources for one export (one seed, one as-of day)."""

    def __init__(self, seed: int, as_of: date) -> None:
        self.seed = seed
        self.as_of = as_of.toordinal()
        # ISO strings of every day a record can mention (births up to ~110 years back).
        self._first_day = self.as_of - 110 * 366
        self._dates = [date.fromordinal(o).isoformat() for o in range(self._first_day, self.as_of + 1)]

    def day(self, ordinal: int) -> str:
        return self._dates[ordinal - self._first_day]

    def render(self, rng: random.Random, person: Person) -> Iterator[tuple[str, Resource]]:
        return _PatientRenderer(self, rng, person).resources()


class _PatientRenderer:
    def __init__(self, export: Renderer, rng: random.Random, person: Person) -> None:
        self.x = export
        self.rng = rng
        self.p = person
        self.key = f"{export.seed}-{person.index}"
        self.ref = {"reference": f"Patient/pt-{self.key}"}
        city = CITIES[person.city]
        self.city, self.region, self.zip3, self.area, self.tz = city
        self.counters: dict[str, int] = {}
        self.condition_ids: dict[str, str] = {}
        self.hospital = HOSPITALS[int(rng.random() * len(HOSPITALS))].format(self.city)
        medicaid_like = person.coverage[0].kind in ("medicaid", "medicaid_managed", "self_pay")
        clinic = CLINICS[2] if medicaid_like and rng.random() < 0.6 else CLINICS[int(rng.random() * 2)]
        self.clinic = clinic.format(self.city)
        self.coverage_ids: list[str] = []
        self.encounter_ids: dict[int, str] = {}
        self.contact_name: dict[str, object] = {}
        self.contact_phone = ""
        self._body: tuple[float, float] | None = None
        self._state: dict[str, float] | None = None

    def next_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{self.key}-{n}"

    def when(self, day: int, hour: int, minute: int) -> str:
        return f"{self.x.day(day)}T{hour:02d}:{minute:02d}:00{self.tz}"

    def acute_code(self, dx: cat.AcuteDx) -> cat.Code:
        if self.p.prefers_snomed and dx.snomed is not None:
            return dx.snomed
        return dx.icd

    def code_of(self, variant: cat.Variant) -> cat.Code:
        if self.p.prefers_snomed:
            return variant.snomed or variant.icd  # type: ignore[return-value]
        return variant.icd or variant.snomed  # type: ignore[return-value]

    def phone(self) -> str:
        return f"({self.area}) 555-{int(self.rng.random() * 10000):04d}"

    # -- resources ------------------------------------------------------------------------------

    def resources(self) -> Iterator[tuple[str, Resource]]:
        rng, p = self.rng, self.p
        family = p.group.family[int(rng.random() * len(p.group.family))]
        yield "Patient", self.patient(family)
        if p.caregiver:
            yield "RelatedPerson", self.related_person()
        yield from self.coverages()
        yield from self.conditions()
        yield from self.encounters()
        yield from self.medications()

    def person_name(self, sex: str | None, family: str | None = None) -> dict[str, object]:
        rng, group = self.rng, self.p.group
        if sex is None:
            sex = "female" if rng.random() < 0.5 else "male"
        given = group.female if sex == "female" else group.male
        family = family or group.family[int(rng.random() * len(group.family))]
        return {"family": family, "given": [given[int(rng.random() * len(given))]]}

    def patient(self, family: str) -> Resource:
        rng, p = self.rng, self.p
        name = self.person_name(p.sex, family)
        name["use"] = "official"
        if rng.random() < 0.4:
            name["given"].append(chr(65 + int(rng.random() * 26)))  # type: ignore[attr-defined]
        address: dict[str, object] = {"use": "home"}
        homeless = any(n.key == "homelessness" and n.abatement is None for n in p.social)
        if not homeless:
            street = STREETS[int(rng.random() * len(STREETS))]
            suffix = STREET_SUFFIXES[int(rng.random() * len(STREET_SUFFIXES))]
            address["line"] = [f"{100 + int(rng.random() * 9800)} {street} {suffix}"]
        address.update(
            city=self.city,
            state=self.region,
            postalCode=f"{self.zip3}{int(rng.random() * 100):02d}",
            country="US",
        )
        resource: Resource = {
            "resourceType": "Patient",
            "id": f"pt-{self.key}",
            "identifier": [
                {
                    "use": "usual",
                    "type": MRN_TYPE,
                    "system": MRN_SYSTEM,
                    "value": f"S{self.x.seed}-{p.index:08d}",
                }
            ],
            "active": True,
            "name": [name],
            "telecom": [
                {"system": "phone", "value": self.phone(), "use": "mobile" if rng.random() < 0.7 else "home"}
            ],
            "gender": p.sex,
            "birthDate": self.x.day(p.birth),
        }
        if p.death is not None:
            resource["deceasedDateTime"] = self.when(p.death, int(rng.random() * 24), int(rng.random() * 60))
        resource["address"] = [address]
        resource["maritalStatus"] = MARITAL[p.marital]
        resource["communication"] = COMMUNICATION[p.language]
        if p.has_contact:
            self.contact_name = self.caregiver_name(family)
            self.contact_phone = self.phone()
            resource["contact"] = [
                {
                    "relationship": EMERGENCY_CONTACT,
                    "name": self.contact_name,
                    "telecom": [{"system": "phone", "value": self.contact_phone}],
                }
            ]
        return resource

    def caregiver_name(self, family: str) -> dict[str, object]:
        p = self.p
        role = p.caregiver or ("SPS" if p.marital == "M" else "DAUC")
        sex = ROLES[role][1]
        if role == "SPS":
            sex = "male" if p.sex == "female" else "female"
        kin = role in ("SPS", "DAUC", "SONC", "GRNDDAU", "SIS", "BRO", "MTH")
        return self.person_name(sex, family if kin and self.rng.random() < 0.75 else None)

    def related_person(self) -> Resource:
        role = self.p.caregiver or "FRND"
        return {
            "resourceType": "RelatedPerson",
            "id": self.next_id("rp"),
            "active": True,
            "patient": self.ref,
            "relationship": [ROLE_CONCEPTS[role], CAREGIVER],
            "name": [self.contact_name],
            "telecom": [{"system": "phone", "value": self.contact_phone}],
        }

    def coverages(self) -> Iterator[tuple[str, Resource]]:
        p, rng = self.p, self.rng
        for fact in p.coverage:
            cid = self.next_id("cov")
            self.coverage_ids.append(cid)
            if fact.kind in ("medicare", "medicare_advantage"):
                member = _mbi(rng)
            elif fact.kind.startswith("medicaid"):
                member = f"{self.region}{int(rng.random() * 1e9):09d}"
            else:
                member = f"{'ABCDEFGHJKLMNPRSTUVWXYZ'[int(rng.random() * 23)]}{int(rng.random() * 1e9):09d}"
            period = {"start": self.x.day(min(fact.start, p.as_of))}
            if p.death is not None:
                period["end"] = self.x.day(p.death)
            yield (
                "Coverage",
                {
                    "resourceType": "Coverage",
                    "id": cid,
                    "status": "active" if p.death is None else "cancelled",
                    "type": PAYER_TYPE[fact.kind],
                    "subscriberId": member,
                    "beneficiary": self.ref,
                    "relationship": SELF,
                    "period": period,
                    "payor": [self.ref if fact.kind == "self_pay" else {"display": fact.plan}],
                    "order": fact.order,
                },
            )

    def condition(
        self,
        code: cat.Code,
        onset: int,
        category: Category,
        abatement: int | None = None,
        encounter: str | None = None,
    ) -> tuple[str, Resource]:
        cid = self.next_id("cond")
        resource: Resource = {
            "resourceType": "Condition",
            "id": cid,
            "clinicalStatus": CLINICAL["active" if abatement is None else "resolved"],
            "verificationStatus": CONFIRMED,
            "category": category,
            "code": concept(code),
            "subject": self.ref,
        }
        if encounter:
            resource["encounter"] = {"reference": f"Encounter/{encounter}"}
        resource["onsetDateTime"] = self.x.day(onset)
        if abatement is not None:
            resource["abatementDateTime"] = self.x.day(abatement)
        resource["recordedDate"] = self.x.day(onset)
        return cid, resource

    def conditions(self) -> Iterator[tuple[str, Resource]]:
        p = self.p
        for key, variant in p.conditions.items():
            cid, resource = self.condition(self.code_of(variant), p.onset[key], CAT_PROBLEM)
            self.condition_ids[key] = cid
            yield "Condition", resource
        for need in p.social:
            _, resource = self.condition(self.code_of(need.variant), need.onset, CAT_SDOH, need.abatement)
            yield "Condition", resource

    # -- encounters and what hangs off them -----------------------------------------------------

    def encounters(self) -> Iterator[tuple[str, Resource]]:
        p, rng = self.p, self.rng
        office = [v for v in p.visits if v.cls == "AMB"]
        lab_visits = office[-2:]
        vital_visits = {id(v): i for i, v in enumerate(reversed(lab_visits))}
        for visit in p.visits:
            eid = self.next_id("enc")
            self.encounter_ids[id(visit)] = eid
            minute = int(rng.random() * 60)
            dx_ids: list[str] = []
            if visit.dx is not None and visit.cls in ("IMP", "EMER", "AMB") and visit.kind != "followup":
                # Resolved at discharge, or a few weeks after an office visit (still active if that is
                # after the as-of day); nothing resolves after death.
                end = visit.end if visit.cls != "AMB" else visit.end + 7 + int(rng.random() * 21)
                if p.death is not None:
                    end = min(end, p.death)
                resolved = end if end < p.as_of else None
                cid, resource = self.condition(
                    self.acute_code(visit.dx), visit.start, CAT_ENCOUNTER_DX, resolved, eid
                )
                dx_ids.append(cid)
                yield "Condition", resource
            yield "Encounter", self.encounter(visit, eid, minute, dx_ids)
            if visit.cls == "IMP":
                yield from self.inpatient_extras(visit, eid)
            if id(visit) in vital_visits:
                yield from self.vitals(visit, eid, latest=vital_visits[id(visit)] == 0)
            yield from self.claim(visit, eid)
        yield from self.labs(lab_visits)

    def encounter(self, visit: Visit, eid: str, minute: int, dx_ids: list[str]) -> Resource:
        rng = self.rng
        if visit.cls == "IMP":
            end = self.when(visit.end, 10 + int(rng.random() * 7), int(rng.random() * 60))
        else:
            # ED stays last 2-8 hours and may end after midnight; office visits 15-45 minutes.
            duration = 120 + int(rng.random() * 360) if visit.cls == "EMER" else 15 + int(rng.random() * 30)
            finish = visit.hour * 60 + minute + duration
            end = self.when(visit.end + finish // 1440, finish % 1440 // 60, finish % 60)
        resource: Resource = {
            "resourceType": "Encounter",
            "id": eid,
            "status": "finished",
            "class": ENCOUNTER_CLASS[visit.cls],
            "type": ENCOUNTER_TYPE[visit.kind],
        }
        if visit.cls in ("IMP", "EMER"):
            resource["priority"] = PRIORITY[visit.priority]  # admit urgency: EM, UR or EL
        resource["subject"] = self.ref
        resource["period"] = {"start": self.when(visit.start, visit.hour, minute), "end": end}
        if visit.cls == "IMP":
            resource["serviceType"] = SERVICE_TYPE[visit.dx.service if visit.dx else "medicine"]
            resource["length"] = {
                "value": visit.end - visit.start,
                "unit": "days",
                "system": cat.UCUM,
                "code": "d",
            }
        elif visit.cls == "EMER":
            resource["serviceType"] = SERVICE_TYPE["emergency"]
        elif visit.cls in ("AMB", "VR"):
            resource["serviceType"] = SERVICE_TYPE["primary_care"]
        if visit.dx is not None:
            resource["reasonCode"] = [concept(self.acute_code(visit.dx))]
        elif visit.reason is not None:
            resource["reasonCode"] = [concept(self.code_of(self.p.conditions[visit.reason]))]
        if visit.cls in ("IMP", "EMER"):
            diagnosis: list[dict[str, object]] = [
                {"condition": {"reference": f"Condition/{cid}"}, "use": DIAGNOSIS_ROLE["DD"], "rank": 1}
                for cid in dx_ids
            ]
            limit = 6 if visit.cls == "IMP" else 2
            for key in list(self.condition_ids)[:limit]:
                diagnosis.append(
                    {
                        "condition": {"reference": f"Condition/{self.condition_ids[key]}"},
                        "use": DIAGNOSIS_ROLE["CM"],
                        "rank": len(diagnosis) + 1,
                    }
                )
            resource["diagnosis"] = diagnosis
        if visit.cls == "IMP":
            resource["hospitalization"] = {
                "admitSource": ADMIT_SOURCE[visit.admit_source or "emd"],
                "dischargeDisposition": DISPOSITION[visit.disposition or "home"],
            }
        resource["serviceProvider"] = {
            "display": self.hospital if visit.cls in ("IMP", "EMER") else self.clinic
        }
        return resource

    def observation(
        self,
        key: str,
        category: Category,
        day: int,
        hour: int,
        value: float,
        encounter: str | None,
        low: float | None = None,
        high: float | None = None,
    ) -> Resource:
        lab = cat.LABS.get(key) or cat.VITALS[key]
        resource: Resource = {
            "resourceType": "Observation",
            "id": self.next_id("obs"),
            "status": "final",
            "category": category,
            "code": LAB_CONCEPT[key],
            "subject": self.ref,
        }
        if encounter:
            resource["encounter"] = {"reference": f"Encounter/{encounter}"}
        resource["effectiveDateTime"] = self.when(day, hour, int(self.rng.random() * 60))
        resource["valueQuantity"] = {"value": value, "unit": lab.unit, "system": cat.UCUM, "code": lab.unit}
        if high is not None and value > high:
            resource["interpretation"] = INTERPRETATION["H"]
        elif low is not None and value < low:
            resource["interpretation"] = INTERPRETATION["L"]
        return resource

    def vitals(self, visit: Visit, eid: str, latest: bool) -> Iterator[tuple[str, Resource]]:
        rng, has = self.rng, self.p.conditions
        hypertensive = "hypertension" in has
        controlled = rng.random() < 0.6
        sbp = rng.gauss(136 if hypertensive and not controlled else 124, 12)
        sbp = round(max(92.0, min(196.0, sbp)))
        dbp = round(max(52.0, min(118.0, 0.48 * sbp + rng.gauss(16, 6))))
        bp: Resource = {
            "resourceType": "Observation",
            "id": self.next_id("obs"),
            "status": "final",
            "category": CAT_VITALS,
            "code": LAB_CONCEPT["bp"],
            "subject": self.ref,
            "encounter": {"reference": f"Encounter/{eid}"},
            "effectiveDateTime": self.when(visit.start, visit.hour, int(rng.random() * 60)),
            "component": [
                {"code": LAB_CONCEPT["sbp"], "valueQuantity": _quantity(sbp, "mm[Hg]")},
                {"code": LAB_CONCEPT["dbp"], "valueQuantity": _quantity(dbp, "mm[Hg]")},
            ],
        }
        if sbp >= 140 or dbp >= 90:
            bp["interpretation"] = INTERPRETATION["H"]
        yield "Observation", bp
        bmi, height = self.body
        weight = round(bmi * height * height + rng.gauss(0, 0.8), 1)
        yield "Observation", self.observation("weight", CAT_VITALS, visit.start, visit.hour, weight, eid)
        if latest:
            yield (
                "Observation",
                self.observation("bmi", CAT_VITALS, visit.start, visit.hour, round(bmi, 1), eid, 18.5, 30),
            )
            rate = round(rng.gauss(84 if "afib" in has else 74, 14 if "afib" in has else 9))
            yield (
                "Observation",
                self.observation(
                    "heart_rate", CAT_VITALS, visit.start, visit.hour, max(44, min(150, rate)), eid, 50, 100
                ),
            )

    @property
    def body(self) -> tuple[float, float]:
        """BMI and height (m), fixed per patient."""
        found = self._body
        if found is None:
            rng, p = self.rng, self.p
            height = rng.gauss(1.76, 0.07) if p.sex == "male" else rng.gauss(1.62, 0.065)
            obesity = p.conditions.get("obesity")
            if obesity is None:
                bmi = max(17.5, min(31.5, rng.gauss(26.3, 3.2)))
            elif obesity.tag == "morbid":
                bmi = 40.0 + rng.expovariate(1 / 4.0)
            else:
                bmi = 30.0 + min(9.9, rng.expovariate(1 / 3.5))
            found = self._body = (bmi, height)
        return found

    @property
    def state(self) -> dict[str, float]:
        """Per-patient values around which results scatter (consistent with the conditions)."""
        if self._state is not None:
            return self._state
        rng, p, has = self.rng, self.p, self.p.conditions
        state: dict[str, float] = {}
        if "diabetes" in has:
            state["hba1c"] = max(5.8, min(13.5, rng.gauss(7.6, 1.3)))
        else:
            state["hba1c"] = max(4.6, min(6.4, rng.gauss(5.45, 0.3)))
        ckd = has.get("ckd")
        ranges = {
            "2": (60, 89),
            "3a": (45, 59),
            "3b": (30, 44),
            "4": (15, 29),
            "5": (8, 14.9),
            "esrd": (5, 11),
        }
        if ckd is not None:
            lo, hi = ranges[ckd.tag]
            state["egfr"] = lo + rng.random() * (hi - lo)
        else:
            state["egfr"] = max(61.0, min(125.0, 108 - 0.65 * (p.age - 30) + rng.gauss(0, 10)))
        hb = rng.gauss(14.8, 1.0) if p.sex == "male" else rng.gauss(13.3, 0.9)
        if ckd is not None and ckd.tag in ("3b", "4", "5", "esrd"):
            hb -= 1.3
        if "cancer" in has:
            hb -= 0.8
        if p.age >= 80:
            hb -= 0.4
        state["hemoglobin"] = hb
        state["sodium"] = (
            rng.gauss(139.8, 2.0)
            - (1.5 if "heart_failure" in has else 0)
            - (3.0 if "liver_severe" in has else 0)
        )
        state["potassium"] = rng.gauss(4.25, 0.3) + (
            0.45 if ckd is not None and ckd.tag in ("4", "5", "esrd") else 0
        )
        statin = "hyperlipidemia" in has or "ihd" in has or ("diabetes" in has and p.age >= 40)
        state["ldl"] = max(
            35.0, min(240.0, rng.gauss(86, 24) if statin and rng.random() < 0.7 else rng.gauss(118, 30))
        )
        state["bnp"] = (
            math.exp(rng.gauss(math.log(380), 0.7))
            if "heart_failure" in has
            else math.exp(rng.gauss(math.log(35), 0.6))
        )
        state["egfr_code"] = 0.0 if rng.random() < 0.5 else 1.0
        state["bnp_code"] = 0.0 if rng.random() < 0.5 else 1.0
        state["ldl_code"] = 0.0 if rng.random() < 0.3 else 1.0
        self._state = state
        return state

    def labs(self, visits: list[Visit]) -> Iterator[tuple[str, Resource]]:
        if not visits:
            return
        rng, p, has = self.rng, self.p, self.p.conditions
        s = self.state
        ckd = "ckd" in has
        plan = {
            "hba1c": 2
            if "diabetes" in has
            else (1 if rng.random() < (0.45 if "obesity" in has else 0.25) else 0),
            "egfr": 2
            if ckd
            else (
                1
                if ("diabetes" in has or "hypertension" in has or "heart_failure" in has)
                else int(rng.random() < 0.3)
            ),
            "ldl": 1
            if ("hyperlipidemia" in has or "ihd" in has or "diabetes" in has)
            else int(rng.random() < 0.2),
            "hemoglobin": 1 if (ckd or "cancer" in has) else int(rng.random() < 0.2),
            "bnp": 1 if "heart_failure" in has else 0,
        }
        for rank, visit in enumerate(reversed(visits)):
            eid = self.encounter_ids[id(visit)]
            day, hour = visit.start, visit.hour
            drift = 0.0 if rank == 0 else 1.0
            if plan["hba1c"] > rank:
                value = round(max(4.4, s["hba1c"] + drift * rng.gauss(0.2, 0.4)), 1)
                yield "Observation", self.observation("hba1c", CAT_LAB, day, hour, value, eid, None, 6.4)
            if plan["egfr"] > rank:
                value = round(max(4.0, s["egfr"] + drift * rng.gauss(2.0, 3.0)))
                code = "egfr_mdrd" if s["egfr_code"] == 0.0 else "egfr_ckdepi"
                yield "Observation", self.observation(code, CAT_LAB, day, hour, value, eid, 60, None)
                sodium = round(s["sodium"] + rng.gauss(0, 1.2))
                yield "Observation", self.observation("sodium", CAT_LAB, day, hour, sodium, eid, 135, 145)
                if ckd or "heart_failure" in has:
                    potassium = round(s["potassium"] + rng.gauss(0, 0.2), 1)
                    yield (
                        "Observation",
                        self.observation("potassium", CAT_LAB, day, hour, potassium, eid, 3.5, 5.0),
                    )
            if plan["ldl"] > rank:
                code = "ldl_direct" if s["ldl_code"] == 0.0 else "ldl_calc"
                value = round(s["ldl"] + rng.gauss(0, 6))
                yield "Observation", self.observation(code, CAT_LAB, day, hour, value, eid, None, 130)
            if plan["hemoglobin"] > rank:
                value = round(s["hemoglobin"] + rng.gauss(0, 0.3), 1)
                low = 13.5 if p.sex == "male" else 12.0
                yield "Observation", self.observation("hemoglobin", CAT_LAB, day, hour, value, eid, low, None)
            if plan["bnp"] > rank:
                yield "Observation", self.natriuretic(day, hour, s["bnp"], eid)

    def natriuretic(self, day: int, hour: int, bnp: float, eid: str) -> Resource:
        if self.state["bnp_code"] == 0.0:
            return self.observation("bnp", CAT_LAB, day, hour, round(bnp), eid, None, 100)
        return self.observation("ntprobnp", CAT_LAB, day, hour, round(bnp * 5.5), eid, None, 300)

    def inpatient_extras(self, visit: Visit, eid: str) -> Iterator[tuple[str, Resource]]:
        rng, state = self.rng, self.state
        if visit.dx is not None and visit.dx.key == "hf_exacerbation" and rng.random() < 0.7:
            yield "Observation", self.natriuretic(visit.start, visit.hour, state["bnp"] * 2.5, eid)
        if visit.procedure is not None:
            day = visit.start + (1 if visit.end > visit.start and visit.priority != "EL" else 0)
            yield (
                "Procedure",
                {
                    "resourceType": "Procedure",
                    "id": self.next_id("proc"),
                    "status": "completed",
                    "code": concept(cat.PROCEDURES[visit.procedure]),
                    "subject": self.ref,
                    "encounter": {"reference": f"Encounter/{eid}"},
                    "performedDateTime": self.when(day, 8 + int(rng.random() * 9), int(rng.random() * 60)),
                },
            )
        if visit.disposition != "exp" and rng.random() < 0.75:
            hb = state["hemoglobin"] - 0.9 + rng.gauss(0, 0.9)
            if visit.dx is not None and visit.dx.key == "gi_bleed":
                hb -= 2.5
            na = state["sodium"] - 1.0 + rng.gauss(0, 1.8)
            if rng.random() < 0.12 or (visit.dx is not None and visit.dx.key == "hyponatremia"):
                na = rng.gauss(131, 2)
            hour = 5 + int(rng.random() * 3)
            low_hb = 13.5 if self.p.sex == "male" else 12.0
            yield (
                "Observation",
                self.observation("hemoglobin", CAT_LAB, visit.end, hour, round(max(5.5, hb), 1), eid, low_hb),
            )
            yield (
                "Observation",
                self.observation("sodium", CAT_LAB, visit.end, hour, round(na), eid, 135, 145),
            )

    def claim(self, visit: Visit, eid: str) -> Iterator[tuple[str, Resource]]:
        rng, p = self.rng, self.p
        institutional = visit.cls in ("IMP", "EMER")
        if not institutional and rng.random() >= 0.5:
            return
        created = visit.end + 5 + int(rng.random() * 35)
        if created > p.as_of:
            return  # not billed yet: claims lag the care they pay for
        if visit.cls == "IMP":
            los = max(1, visit.end - visit.start)
            total = 6500 + 2400 * los * math.exp(rng.gauss(0, 0.3))
            if visit.procedure is not None:
                total += 9000 + rng.random() * 14000
            total = max(8000.0, min(total, 180000.0))
        elif visit.cls == "EMER":
            total = max(900.0, min(4500.0, math.exp(rng.gauss(math.log(1900), 0.35))))
        elif visit.cls == "VR":
            total = 85 + rng.random() * 70
        elif visit.cls == "HH":
            total = 150 + rng.random() * 100
        else:
            total = 105 + rng.random() * 190
        money = {"value": round(total, 2), "currency": "USD"}
        codes: list[cat.Code] = []
        if visit.dx is not None:
            codes.append(visit.dx.icd)
        elif visit.reason is not None:
            reason = p.conditions[visit.reason]
            codes.append(reason.icd or reason.snomed)  # type: ignore[arg-type]
        else:
            codes.append(ROUTINE_DX[visit.kind])
        for variant in p.conditions.values():
            if len(codes) >= (9 if visit.cls == "IMP" else 4):
                break
            if variant.icd is not None and variant.icd not in codes:
                codes.append(variant.icd)
        diagnosis = [
            {"sequence": i + 1, "diagnosisCodeableConcept": concept(code)} for i, code in enumerate(codes)
        ]
        diagnosis[0]["type"] = PRINCIPAL_DX
        insurance = [
            {"sequence": i + 1, "focal": i == 0, "coverage": {"reference": f"Coverage/{cid}"}}
            for i, cid in enumerate(self.coverage_ids)
        ]
        period = {"start": self.x.day(visit.start), "end": self.x.day(visit.end)}
        claim: Resource = {
            "resourceType": "Claim",
            "id": self.next_id("clm"),
            "status": "active",
            "type": CLAIM_TYPE["institutional" if institutional else "professional"],
            "use": "claim",
            "patient": self.ref,
            "billablePeriod": period,
            "created": self.x.day(created),
            "insurer": {"display": p.coverage[0].plan},
            "provider": {"display": self.hospital if institutional else self.clinic},
            "priority": CLAIM_PRIORITY,
            "diagnosis": diagnosis,
            "insurance": insurance,
            "item": [
                {
                    "sequence": 1,
                    "productOrService": SERVICE_CODE[visit.cls],
                    "encounter": [{"reference": f"Encounter/{eid}"}],
                    "net": money,
                }
            ],
            "total": money,
        }
        yield "Claim", claim

    # -- medications ----------------------------------------------------------------------------

    def medications(self) -> Iterator[tuple[str, Resource]]:
        rng, p, has = self.rng, self.p, self.p.conditions
        chosen: dict[str, str] = {}  # drug key -> condition key
        for key in has:
            if key == "diabetes":
                self.diabetes_drugs(chosen)
                continue
            for probability, options in cat.PRESCRIBING.get(key, ()):
                if rng.random() >= probability:
                    continue
                drug = _weighted(rng, options)
                if drug in ("metoprolol", "carvedilol") and ({"metoprolol", "carvedilol"} & chosen.keys()):
                    continue
                if drug.startswith("lisinopril") and any(d.startswith("lisinopril") for d in chosen):
                    continue
                chosen.setdefault(drug, key)
        ckd = has.get("ckd")
        if ckd is not None and ckd.tag in ("3b", "4", "5", "esrd") and rng.random() < 0.15:
            chosen.setdefault("ferrous_sulfate", "ckd")
        if has.get("diabetes") is not None and has["diabetes"].tag == "t2-neuropathy" and rng.random() < 0.4:
            chosen.setdefault("gabapentin", "diabetes")
        for drug, key in chosen.items():
            onset = p.onset[key]
            recent = max(onset, p.as_of - 450)
            authored = recent + int(rng.random() * max(1, p.as_of - 1 - recent))
            if p.death is not None:
                authored = min(authored, p.death)
            status = "stopped" if p.death is not None or rng.random() < 0.12 else "active"
            yield (
                "MedicationRequest",
                {
                    "resourceType": "MedicationRequest",
                    "id": self.next_id("med"),
                    "status": status,
                    "intent": "order",
                    "medicationCodeableConcept": DRUG_CONCEPT[drug],
                    "subject": self.ref,
                    "authoredOn": self.x.day(authored),
                    "reasonReference": [{"reference": f"Condition/{self.condition_ids[key]}"}],
                    "dosageInstruction": DOSAGE[drug],
                },
            )

    def diabetes_drugs(self, chosen: dict[str, str]) -> None:
        rng, p, has = self.rng, self.p, self.p.conditions
        variant = has["diabetes"]
        state = self.state
        ckd = has.get("ckd")
        advanced_ckd = ckd is not None and ckd.tag in ("4", "5", "esrd")
        if variant.tag == "t1":
            chosen.setdefault("insulin_glargine", "diabetes")
            return
        if not advanced_ckd and rng.random() < 0.78:
            chosen.setdefault("metformin", "diabetes")
        insulin_p = 0.10 + (0.30 if state["hba1c"] > 9.0 else 0.0) + (0.15 if advanced_ckd else 0.0)
        if rng.random() < insulin_p:
            chosen.setdefault("insulin_glargine", "diabetes")
        sglt2_p = 0.15 + (0.15 if ("heart_failure" in has or ckd is not None) else 0.0)
        if not (ckd is not None and ckd.tag in ("5", "esrd")) and rng.random() < sglt2_p:
            chosen.setdefault("empagliflozin", "diabetes")
        if rng.random() < 0.12:
            chosen.setdefault("glipizide", "diabetes")
        if p.age >= 40 and rng.random() < 0.55:
            chosen.setdefault("atorvastatin", "diabetes")


def _weighted(rng: random.Random, options: tuple[tuple[float, str], ...]) -> str:
    u = rng.random() * sum(w for w, _ in options)
    for weight, key in options:
        u -= weight
        if u < 0:
            return key
    return options[-1][1]


def _quantity(value: float, unit: str) -> dict[str, object]:
    return {"value": value, "unit": unit, "system": cat.UCUM, "code": unit}


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # Medicare Beneficiary Identifier letters (no S, L, O, I, B, Z)


def _mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier in the CMS format (C A AN N A AN N A A N N)."""
    alnum = _MBI_LETTERS + "0123456789"

    def letter() -> str:
        return _MBI_LETTERS[int(rng.random() * len(_MBI_LETTERS))]

    def digit(lo: int = 0) -> str:
        return str(lo + int(rng.random() * (10 - lo)))

    def either() -> str:
        return alnum[int(rng.random() * len(alnum))]

    return "".join(
        (
            digit(1),
            letter(),
            either(),
            digit(),
            letter(),
            either(),
            digit(),
            letter(),
            letter(),
            digit(),
            digit(),
        )
    )

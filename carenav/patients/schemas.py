import datetime as dt
from decimal import Decimal

from ninja import Schema


class PatientOut(Schema):
    id: int
    mrn: str
    family_name: str
    given_name: str
    birth_date: dt.date | None
    sex: str
    preferred_language: str
    city: str
    state: str


class IdentifierOut(Schema):
    system: str
    value: str
    type_code: str


class CaregiverOut(Schema):
    name: str
    relationship: str
    phone: str
    is_primary: bool
    lives_with_patient: bool


class ConditionOut(Schema):
    id: int
    system: str
    code: str
    display: str
    clinical_status: str
    onset_date: dt.date | None
    abatement_date: dt.date | None


class EncounterOut(Schema):
    id: int
    encounter_class: str
    type_display: str
    start: dt.datetime
    end: dt.datetime | None
    priority: str
    admit_source: str
    discharge_disposition: str
    facility: str
    length_of_stay_days: int | None
    diagnoses: list[dict[str, object]]


class ComponentOut(Schema):
    loinc: str
    display: str
    value_num: float | None
    unit: str


class ObservationOut(Schema):
    id: int
    loinc: str
    display: str
    category: str
    value_num: float | None
    value_text: str
    unit: str
    effective: dt.datetime
    components: list[ComponentOut] = []

    @staticmethod
    def resolve_components(obj: object) -> list[object]:
        return list(obj.components.all()) if hasattr(obj, "components") else []


class MedicationOut(Schema):
    id: int
    rxnorm: str
    display: str
    dosage_text: str
    timing: str
    status: str
    start_date: dt.date | None


class CoverageOut(Schema):
    kind: str
    payer: str
    plan_name: str
    member_id: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None


class PatientDetailOut(PatientOut):
    phone: str
    email: str
    address_line: str
    postal_code: str
    interpreter_needed: bool
    deceased_at: dt.datetime | None
    identifiers: list[IdentifierOut]
    caregivers: list[CaregiverOut]
    problems: list[ConditionOut]
    encounters: list[EncounterOut]
    vitals: list[ObservationOut]
    labs: list[ObservationOut]
    medications: list[MedicationOut]
    coverages: list[CoverageOut]


class ClaimOut(Schema):
    resource_type: str
    claim_type: str
    service_start: dt.date | None
    total: Decimal | None

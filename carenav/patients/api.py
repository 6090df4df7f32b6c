from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from carenav.core import clock
from carenav.core.http import ApiRequest
from carenav.patients import selectors
from carenav.patients.schemas import ObservationOut, PatientDetailOut, PatientOut

router = Router(tags=["patients"])


class PatientFilters(Schema):
    q: str = ""


@router.get("/patients", response=list[PatientOut], summary="List patients of your organization")
@paginate(PageNumberPagination, page_size=50)
def list_patients(request: ApiRequest, filters: Query[PatientFilters]):  # type: ignore[no-untyped-def]
    """Search by name ("smith jo"), date of birth (YYYY-MM-DD) or an exact MRN/identifier."""
    return selectors.patient_list_for(request.auth, query=filters.q)


@router.get("/patients/{patient_id}", response=PatientDetailOut, summary="A patient's chart")
def get_patient(request: ApiRequest, patient_id: int) -> dict[str, object]:
    chart = selectors.patient_chart_for(request.auth, patient_id, today=clock.today())
    data = {name: getattr(chart, name) for name in chart.__dataclass_fields__ if name != "patient"}
    return {**PatientOut.from_orm(chart.patient).dict(), **_contact(chart.patient), **data}


def _contact(patient: object) -> dict[str, object]:
    fields = ("phone", "email", "address_line", "postal_code", "interpreter_needed", "deceased_at")
    return {name: getattr(patient, name) for name in fields}


@router.get(
    "/patients/{patient_id}/observations", response=list[ObservationOut], summary="A patient's observations"
)
@paginate(PageNumberPagination, page_size=100)
def list_observations(request: ApiRequest, patient_id: int, loinc: str | None = None):  # type: ignore[no-untyped-def]
    return selectors.observation_list_for(request.auth, patient_id, loinc=loinc).prefetch_related(
        "components"
    )

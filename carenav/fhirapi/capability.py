"""The CapabilityStatement, generated from the search table so it lists exactly what the server does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carenav.fhirapi.search import SEARCH_PARAMS

SEARCH_PARAM_DEFINITIONS = {
    "_id": "http://hl7.org/fhir/SearchParameter/Resource-id",
    "patient": "http://hl7.org/fhir/SearchParameter/clinical-patient",
}


def capability_statement(base_url: str, *, software_version: str, date: dt.datetime) -> dict[str, Any]:
    resources = []
    for name, params in SEARCH_PARAMS.items():
        operations = []
        if name == "Patient":
            operations = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ]
        resource: dict[str, Any] = {
            "type": name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "versioning": "no-version",
            "readHistory": False,
            "updateCreate": False,
            "searchParam": [
                {"name": p.name, "type": p.type, "documentation": p.documentation}
                | (
                    {"definition": SEARCH_PARAM_DEFINITIONS[p.name]}
                    if p.name in SEARCH_PARAM_DEFINITIONS
                    else {}
                )
                for p in params.values()
            ],
        }
        if operations:
            resource["operation"] = operations
        resources.append(resource)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date.isoformat(timespec="seconds"),
        "publisher": "carenav",
        "kind": "instance",
        "software": {"name": "carenav", "version": software_version},
        "implementation": {"description": "carenav FHIR R4 read and search interface", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read and search only. Logical ids are carenav primary keys. Unknown search "
                "parameters are rejected (400). _count (default 50, at most 200) and _offset page the results.",
                "security": {
                    "cors": False,
                    "service": [
                        {"text": "Personal API token (Authorization: Bearer cn_...) or a carenav session."}
                    ],
                    "description": "Every read is limited to the user's organization and recorded in the audit log.",
                },
                "resource": resources,
            }
        ],
    }

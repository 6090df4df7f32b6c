"""Staff pages: browse the versioned value sets and test a code against them."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from carenav.core.http import AuthedRequest
from carenav.terminology import valuesets
from carenav.terminology.access import can_browse_valuesets

SYSTEM_CHOICES = (("auto", "Detect"), ("icd10cm", "ICD-10-CM"), ("snomed", "SNOMED CT"))
_SYSTEMS = {"icd10cm": valuesets.ICD10CM, "snomed": valuesets.SNOMED}


@dataclass(frozen=True)
class CodeTest:
    code: str
    system_label: str
    explanation: str
    matches: list[valuesets.Match]


def _require_access(request: AuthedRequest) -> None:
    if not can_browse_valuesets(request.user):
        raise PermissionDenied("Value sets are for staff and organization admins.")


def _test_code(code: str, system_choice: str) -> CodeTest:
    system = _SYSTEMS.get(system_choice) or valuesets.detect_system(code)
    return CodeTest(
        code=code,
        system_label=valuesets.SYSTEM_LABELS[system],
        explanation=valuesets.explain(system, code),
        matches=valuesets.classify(system, code),
    )


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    _require_access(request)
    code = request.GET.get("code", "").strip()[:40]
    system_choice = request.GET.get("system", "auto")
    if system_choice not in dict(SYSTEM_CHOICES):
        system_choice = "auto"
    result = _test_code(code, system_choice) if code else None
    if request.headers.get("HX-Request"):
        return render(request, "terminology/_code_test.html", {"result": result})
    summaries = [
        {
            "valueset": vs,
            "categories": len(vs.categories),
            "icd10cm": sum(len(c.icd10cm_prefixes) for c in vs.categories),
            "snomed": sum(len(c.snomed) for c in vs.categories),
        }
        for vs in valuesets.load_valuesets().values()
    ]
    context = {
        "summaries": summaries,
        "code": code,
        "system": system_choice,
        "system_choices": SYSTEM_CHOICES,
        "result": result,
    }
    return render(request, "terminology/index.html", context)


@login_required
def valueset_detail(request: AuthedRequest, valueset_id: str) -> HttpResponse:
    _require_access(request)
    valueset = valuesets.load_valuesets().get(valueset_id)
    if valueset is None:
        raise Http404("No such value set.")
    rows: list[dict[str, Any]] = [
        {
            "category": category,
            "icd10cm": [valuesets.format_icd10cm(p) for p in category.icd10cm],
            "additions": [valuesets.format_icd10cm(p) for p in category.icd10cm_additions],
            "attributes": valuesets.describe_attributes(valueset, category),
        }
        for category in valueset.categories
    ]
    return render(
        request, "terminology/valueset.html", {"valueset": valueset, "rows": rows, "rules": _rules(valueset)}
    )


def _rules(valueset: valuesets.ValueSet) -> list[str]:
    """Scoring rules kept in the file besides the categories (Charlson weights, hierarchy, age)."""
    extra = valueset.extra
    rules = [
        f"Weight set {name} ({spec['label']}): {spec['source']}; maximum {spec['max_score']}."
        for name, spec in extra.get("weight_sets", {}).items()
    ]
    rules += [f"If {a} is present, {b} scores 0." for a, b in extra.get("hierarchy", [])]
    if "age_points" in extra:
        rules.append(f"Age points: {extra['age_points']['rule']}")
    return rules

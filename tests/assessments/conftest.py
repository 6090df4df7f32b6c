"""Helpers for assessment tests: the shipped registry and answer builders for the published instruments."""

from typing import Any

import pytest

from carenav.assessments.answers import validate_answers
from carenav.assessments.definitions import Registry, default_registry
from carenav.assessments.scoring import InstrumentResult, ScoringContext, score

FREQ = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # PHQ/GAD answer codes scoring 0..3


@pytest.fixture(scope="session")
def registry() -> Registry:
    return default_registry()


def run(instrument_id: str, answers: dict[str, Any], sex: str | None = None) -> InstrumentResult:
    """Validate a complete response and score it; returns the (single) instrument result."""
    registry = default_registry()
    instrument = registry.get(instrument_id)
    assert instrument is not None
    validated = validate_answers(instrument, answers, complete=True)
    return score(instrument, validated.answers, registry, ScoringContext(sex=sex)).components[0]


def phq9(*item_scores: int) -> dict[str, str]:
    """PHQ-9 answers from nine item scores (0-3)."""
    assert len(item_scores) == 9
    return {f"phq9-{n}": FREQ[s] for n, s in enumerate(item_scores, start=1)}


def phq9_total(total: int, item9: int | None = None) -> dict[str, str]:
    """PHQ-9 answers reaching ``total``, filling items 1-8 in order; item 9 is 0 unless given (or needed)."""
    item9 = max(0, total - 24) if item9 is None else item9
    remaining = total - item9
    scores = []
    for _ in range(8):
        take = min(3, remaining)
        scores.append(take)
        remaining -= take
    assert remaining == 0
    return phq9(*scores, item9)


def gad7_total(total: int) -> dict[str, str]:
    remaining, answers = total, {}
    for n in range(1, 8):
        take = min(3, remaining)
        answers[f"gad7-{n}"] = FREQ[take]
        remaining -= take
    assert remaining == 0
    return answers


AHC_NEGATIVE: dict[str, Any] = {
    "ahc-living-situation": "LA31993-1",
    "ahc-housing-problems": ["LA9-3"],
    "ahc-food-worry": "LA28398-8",
    "ahc-food-didnt-last": "LA28398-8",
    "ahc-transportation": "LA32-8",
    "ahc-utilities": "LA32-8",
    "ahc-safety-hurt": "LA6270-8",
    "ahc-safety-insult": "LA6270-8",
    "ahc-safety-threaten": "LA6270-8",
    "ahc-safety-scream": "LA6270-8",
}
HITS = ["LA6270-8", "LA10066-1", "LA10082-8", "LA16644-9", "LA6482-9"]  # scores 1..5

KATZ_ITEMS = [
    "katz-bathing",
    "katz-dressing",
    "katz-toileting",
    "katz-transferring",
    "katz-continence",
    "katz-feeding",
]


def katz(independent: int) -> dict[str, str]:
    return {link: ("independent" if i < independent else "dependent") for i, link in enumerate(KATZ_ITEMS)}


LAWTON_INDEPENDENT = {
    "iadl-telephone": "telephone-1",
    "iadl-shopping": "shopping-1",
    "iadl-food": "food-1",
    "iadl-housekeeping": "housekeeping-1",
    "iadl-laundry": "laundry-1",
    "iadl-transportation": "transportation-1",
    "iadl-medications": "medications-1",
    "iadl-finances": "finances-1",
}

STEADI_NO = {"steadi-fallen": False, "steadi-unsteady": False, "steadi-worry": False}

CAREGIVER_OK = {
    "cg-lives-alone": False,
    "cg-has-caregiver": True,
    "cg-relationship": "adult-child",
    "cg-able-to-continue": "yes",
    "cg-strain": False,
    "cg-backup": True,
    "cg-needs-more-help": False,
}

MEDS_OK = {
    "med-knows-purpose": "all",
    "med-missed": "missed-none",
    "med-stopped": False,
    "med-cost": False,
    "med-side-effects": False,
    "med-manager": "self",
}

ACP_DONE = {
    "acp-directive": "yes",
    "acp-directive-on-file": True,
    "acp-proxy": "yes",
    "acp-discussed": True,
    "acp-wants-help": False,
}


def comprehensive_answers() -> dict[str, Any]:
    """A complete, unremarkable comprehensive assessment."""
    return {
        "mh-conditions-reviewed": True,
        "mh-medications-reconciled": True,
        "mh-unrecorded-visit": False,
        "mh-has-pcp": True,
        **katz(6),
        **LAWTON_INDEPENDENT,
        **STEADI_NO,
        **phq9_total(0),
        **gad7_total(0),
        "auditc-1": "LA6270-8",
        **AHC_NEGATIVE,
        **CAREGIVER_OK,
        **MEDS_OK,
        **ACP_DONE,
        "wm-matters-most": "Seeing my grandchildren graduate",
    }

"""Caseload balancing for assignment suggestions: small pure code over loads the selectors computed.

A care manager's weighted load is the sum of her distinct active patients' tier weights
(caseload.json). The ranking score is that load plus a penalty when she does not speak the
patient's language and another when her discipline is not one the program prefers; staff whose
discipline a program *requires* (BHI → LCSW or BH) are not suggested at all otherwise.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carenav.programs.definitions import CaseloadWeights, Program


@dataclass(frozen=True)
class StaffLoad:
    user: Any
    name: str
    discipline: str
    languages: tuple[str, ...]
    load: float
    patients: int
    by_tier: Mapping[int | None, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    user: Any
    score: float
    weighted_load: float
    patients: int
    reasons: tuple[str, ...]


def primary_language(tag: str) -> str:
    """BCP-47 "es-MX" → "es"."""
    return (tag or "").split("-")[0].split("_")[0].strip().lower()


def weighted_load(tiers: Sequence[int | None], weights: CaseloadWeights) -> float:
    return float(sum(weights.weight(t) for t in tiers))


def _tier_text(by_tier: Mapping[int | None, int]) -> str:
    parts = [f"{n} tier {t}" for t, n in sorted((t, n) for t, n in by_tier.items() if t is not None)]
    if by_tier.get(None):
        parts.append(f"{by_tier[None]} unscored")
    return ", ".join(parts) if parts else "no patients"


def rank_staff(
    staff: Sequence[StaffLoad], language: str, program: Program, weights: CaseloadWeights
) -> list[Suggestion]:
    """Best first: lowest score, then fewest patients, then name."""
    wanted = primary_language(language)
    ranked: list[tuple[float, int, str, Suggestion]] = []
    for person in staff:
        fits_discipline = person.discipline in program.disciplines
        if program.discipline_required and not fits_discipline:
            continue
        reasons = [f"weighted caseload {person.load:g} ({_tier_text(person.by_tier)})"]
        score = person.load
        if wanted and wanted in {primary_language(lang) for lang in person.languages}:
            reasons.append(f"speaks the patient's language ({wanted})")
        elif wanted:
            score += weights.language_mismatch_penalty
            reasons.append(
                f"does not speak {wanted}: interpreter needed (+{weights.language_mismatch_penalty:g})"
            )
        if fits_discipline:
            needed = "required" if program.discipline_required else "preferred"
            reasons.append(f"{person.discipline}: a {needed} discipline for {program.code}")
        else:
            score += weights.discipline_mismatch_penalty
            shown = person.discipline or "no discipline"
            reasons.append(
                f"{shown}: not a preferred discipline for {program.code} (+{weights.discipline_mismatch_penalty:g})"
            )
        suggestion = Suggestion(
            user=person.user,
            score=round(score, 2),
            weighted_load=person.load,
            patients=person.patients,
            reasons=tuple(reasons),
        )
        ranked.append((suggestion.score, person.patients, person.name, suggestion))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked]

"""Scoring: small pure functions from validated answers to scores, bands, domains, flags and findings.

Everything clinical (which items are summed, cut-offs, which answers are positive, what becomes a
finding) lives in the instrument files; this module only evaluates it. ``SCORER_VERSION`` is stored
with every result and changes whenever this code changes what it computes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from carenav.assessments.answers import enabled_link_ids
from carenav.assessments.definitions import Condition, FindingRule, Instrument, Registry, ScoreDef

SCORER_VERSION = "1.0.0"
SEXES = ("female", "male")


@dataclass(frozen=True)
class ScoringContext:
    """Facts about the patient that some cut-offs depend on (AUDIT-C is sex-specific)."""

    sex: str | None = None

    @property
    def sex_key(self) -> str:
        return self.sex if self.sex in SEXES else "unknown"


@dataclass(frozen=True)
class ScoreResult:
    id: str
    label: str
    value: float | None
    value_coding: dict[str, str] | None = None
    code: dict[str, str] | None = None
    min: float | None = None
    max: float | None = None
    band_code: str = ""
    band_label: str = ""
    positive: bool | None = None
    threshold: float | None = None
    threshold_note: str = ""

    @property
    def plain(self) -> str:
        """The score in plain words, e.g. 'PHQ-9 total score: 14 of 27, moderate depression'."""
        if self.value_coding is not None:
            return f"{self.label}: {self.value_coding.get('display', self.value_coding['code'])}"
        if self.value is None:
            return f"{self.label}: not computed (items missing)"
        text = f"{self.label}: {_number(self.value)}"
        if self.max is not None:
            text += f" of {_number(self.max)}"
        if self.band_label:
            text += f", {self.band_label.lower()}"
        if self.positive:
            text += (
                f" (positive: at or above {_number(self.threshold)})" if self.threshold is not None else ""
            )
        return text


@dataclass(frozen=True)
class DomainResult:
    id: str
    label: str
    positive: bool | None


@dataclass(frozen=True)
class FlagResult:
    id: str
    severity: str
    label: str
    action: str
    instrument_id: str


@dataclass(frozen=True)
class FindingResult:
    kind: str
    domain: str
    code_system: str
    code: str
    display: str
    severity: str
    detail: str
    instrument_id: str


@dataclass
class InstrumentResult:
    instrument_id: str
    instrument_version: str
    title: str
    short_name: str
    domain: str
    scores: list[ScoreResult] = field(default_factory=list)
    domains: list[DomainResult] = field(default_factory=list)
    flags: list[FlagResult] = field(default_factory=list)
    findings: list[FindingResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(s.value is not None or s.value_coding is not None for s in self.scores)

    @property
    def positive_domains(self) -> list[DomainResult]:
        return [d for d in self.domains if d.positive]

    def score(self, score_id: str) -> ScoreResult | None:
        return next((s for s in self.scores if s.id == score_id), None)


@dataclass
class AssessmentResult:
    instrument_id: str
    instrument_version: str
    scorer_version: str
    components: list[InstrumentResult]
    component_versions: dict[str, str] = field(default_factory=dict)

    @property
    def flags(self) -> list[FlagResult]:
        return [f for c in self.components for f in c.flags]

    @property
    def safety_flags(self) -> list[FlagResult]:
        return [f for f in self.flags if f.severity == "safety"]

    @property
    def findings(self) -> list[FindingResult]:
        return [f for c in self.components for f in c.findings]

    @property
    def positive_domains(self) -> list[DomainResult]:
        return [d for c in self.components for d in c.positive_domains]

    def component(self, instrument_id: str) -> InstrumentResult | None:
        return next((c for c in self.components if c.instrument_id == instrument_id), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AssessmentResult:
        components = [
            InstrumentResult(
                **{k: v for k, v in c.items() if k not in ("scores", "domains", "flags", "findings")},
                scores=[ScoreResult(**s) for s in c.get("scores", [])],
                domains=[DomainResult(**d) for d in c.get("domains", [])],
                flags=[FlagResult(**f) for f in c.get("flags", [])],
                findings=[FindingResult(**f) for f in c.get("findings", [])],
            )
            for c in data.get("components", [])
        ]
        return cls(
            instrument_id=data["instrument_id"],
            instrument_version=data["instrument_version"],
            scorer_version=data["scorer_version"],
            components=components,
            component_versions=dict(data.get("component_versions") or {}),
        )


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ---------------------------------------------------------------------------------------- conditions


class _Evaluator:
    """Three-valued (Kleene) evaluation of the condition language; None means 'not yet known'."""

    def __init__(self, instrument: Instrument, answers: Mapping[str, Any]) -> None:
        self.instrument = instrument
        self.answers = answers
        self.enabled = enabled_link_ids(instrument, answers)
        self.scores: dict[str, ScoreResult] = {}
        self.domains: dict[str, DomainResult] = {}

    def __call__(self, condition: Condition) -> bool | None:
        if "any" in condition:
            results = [self(c) for c in condition["any"]]
            return True if True in results else (None if None in results else False)
        if "all" in condition:
            results = [self(c) for c in condition["all"]]
            return False if False in results else (None if None in results else True)
        if "not" in condition:
            inner = self(condition["not"])
            return None if inner is None else not inner
        if "item" in condition:
            return self.item(condition)
        if "score" in condition:
            return self.score(condition)
        return self.domains[condition["domain"]].positive

    def item(self, condition: Condition) -> bool | None:
        link_id = condition["item"]
        if link_id not in self.enabled:
            return False
        value = self.answers.get(link_id)
        answered = value not in (None, "", [])
        if "answered" in condition:
            return answered is condition["answered"]
        if not answered:
            return None
        if "equals" in condition:
            return value == condition["equals"]
        if "min" in condition:
            return value >= condition["min"]
        codes = value if isinstance(value, list) else [value]
        if "in" in condition:
            return any(c in condition["in"] for c in codes)
        if "notIn" in condition:
            return any(c not in condition["notIn"] for c in codes)
        item = self.instrument.item(link_id)
        assert item is not None  # the checker verified every condition's item at load time
        options = [item.option(str(c)) for c in codes]
        scores = [o.score for o in options if o is not None and o.score is not None]
        return max(scores) >= condition["minScore"]

    def score(self, condition: Condition) -> bool | None:
        result = self.scores[condition["score"]]
        if "is" in condition:
            return None if result.positive is None else result.positive is condition["is"]
        if "positive" in condition:
            return None if result.positive is None else result.positive is condition["positive"]
        if result.value is None:
            return None
        if "min" in condition and result.value < condition["min"]:
            return False
        return not ("max" in condition and result.value > condition["max"])


# ------------------------------------------------------------------------------------------- scorers


def score_sum(
    definition: ScoreDef, instrument: Instrument, answers: Mapping[str, Any], enabled: set[str]
) -> float | None:
    """Sum of the chosen options' scores; disabled items add nothing; any unanswered enabled item -> None."""
    total = 0.0
    for link_id in definition.items:
        if link_id not in enabled:
            continue
        code = answers.get(link_id)
        if code in (None, ""):
            return None
        option = instrument.item(link_id).option(code)  # type: ignore[union-attr]
        total += option.score or 0  # type: ignore[union-attr]
    return total


def score_count(definition: ScoreDef, evaluate: _Evaluator) -> float:
    """How many of the conditions hold (unanswered ones do not count)."""
    return float(sum(1 for condition in definition.conditions if evaluate(condition) is True))


def positive_threshold(definition: ScoreDef, context: ScoringContext) -> float | None:
    return definition.positive_min_by_sex.get(context.sex_key, definition.positive_min)


def _score(definition: ScoreDef, evaluate: _Evaluator, context: ScoringContext) -> ScoreResult:
    code = definition.code.as_fhir() if definition.code else None
    if definition.method == "rule":
        outcome = evaluate(definition.when)  # type: ignore[arg-type]
        coding = None
        if outcome is not None:
            coding = (definition.value_true if outcome else definition.value_false).as_fhir()  # type: ignore[union-attr]
        return ScoreResult(
            definition.id, definition.label, None, value_coding=coding, code=code, positive=outcome
        )
    if definition.method == "sum":
        value = score_sum(definition, evaluate.instrument, evaluate.answers, evaluate.enabled)
    else:
        value = score_count(definition, evaluate)
    band = definition.band_for(value) if value is not None else None
    threshold = positive_threshold(definition, context)
    positive = None if value is None or threshold is None else value >= threshold
    note = definition.positive_note if definition.positive_min_by_sex else ""
    return ScoreResult(
        id=definition.id,
        label=definition.label,
        value=value,
        code=code,
        min=definition.min,
        max=definition.max,
        band_code=band.code if band else "",
        band_label=band.label if band else "",
        positive=positive,
        threshold=threshold,
        threshold_note=note,
    )


_PLACEHOLDER = re.compile(r"\{(score|band):([a-z0-9-]+)\}")


def _fill(template: str, scores: Mapping[str, ScoreResult]) -> str:
    def replace(match: re.Match[str]) -> str:
        result = scores[match.group(2)]
        return _number(result.value) if match.group(1) == "score" else result.band_label.lower()

    return _PLACEHOLDER.sub(replace, template)


def _finding(rule: FindingRule, instrument: Instrument, scores: Mapping[str, ScoreResult]) -> FindingResult:
    severity = rule.severity or rule.severity_by_band[scores[rule.severity_score].band_code]
    return FindingResult(
        kind=rule.kind,
        domain=rule.domain,
        code_system=rule.code.system,
        code=rule.code.code,
        display=rule.code.display,
        severity=severity,
        detail=_fill(rule.label, scores),
        instrument_id=instrument.id,
    )


def score_instrument(
    instrument: Instrument, answers: Mapping[str, Any], context: ScoringContext = ScoringContext()
) -> InstrumentResult:
    """Score one (non-composite) instrument. Answers must already be validated."""
    evaluate = _Evaluator(instrument, answers)
    for definition in instrument.scores:
        evaluate.scores[definition.id] = _score(definition, evaluate, context)
    for domain in instrument.domains:
        evaluate.domains[domain.id] = DomainResult(domain.id, domain.label, evaluate(domain.when))
    flags = [
        FlagResult(f.id, f.severity, f.label, f.action, instrument.id)
        for f in instrument.flags
        if evaluate(f.when)
    ]
    findings = [
        _finding(rule, instrument, evaluate.scores) for rule in instrument.findings if evaluate(rule.when)
    ]
    notes = [_fill(n.text, evaluate.scores) for n in instrument.notes if evaluate(n.when)]
    return InstrumentResult(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        title=instrument.title,
        short_name=instrument.short_name,
        domain=instrument.domain,
        scores=list(evaluate.scores.values()),
        domains=list(evaluate.domains.values()),
        flags=flags,
        findings=findings,
        notes=notes,
    )


def score(
    instrument: Instrument,
    answers: Mapping[str, Any],
    registry: Registry,
    context: ScoringContext = ScoringContext(),
) -> AssessmentResult:
    """Score an instrument, or each component of a composite assessment, from validated answers."""
    parts: Sequence[Instrument] = (
        [registry.get(c) for c in instrument.components] if instrument.is_composite else [instrument]  # type: ignore[misc]
    )
    components = [score_instrument(part, answers, context) for part in parts]
    return AssessmentResult(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        scorer_version=SCORER_VERSION,
        components=components,
        component_versions={part.id: part.version for part in parts},
    )

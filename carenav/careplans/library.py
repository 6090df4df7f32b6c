"""Goal and intervention templates: versioned data (library/templates/*.json), loaded and checked here.

Django-free. A template belongs to one condition category, social-need (Gravity SDOH) category or assessment
finding domain (its ``triggers``) and carries goals with a measure, target rules, a default due date, owner
and priority, and the interventions that serve each goal, in English and Spanish.

Target rules are the individualization as data: the first rule whose ``when`` matches the patient wins
(e.g. HbA1c < 8.0% at age >= 65 with 3+ chronic conditions, else < 7.0%). A rule may set a target relative to
the baseline (``baseline_offset``: heart-failure weight <= dry weight + 2 kg), resolved when the goal is made.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from carenav.careplans import measures
from carenav.careplans.goal_status import Target, TargetError, TargetKind

TEMPLATES_DIR = Path(__file__).parent / "library" / "templates"
LANGUAGES = ("en", "es")
ROLES = (
    "patient",
    "caregiver",
    "care_manager",
    "pcp",
    "specialist",
    "pharmacist",
    "chw",
    "community_org",
    "other",
)
FREQUENCIES = (
    "once",
    "daily",
    "weekly",
    "every_2_weeks",
    "monthly",
    "every_3_months",
    "every_contact",
    "as_needed",
)
PRIORITIES = ("high", "medium", "low")
KINDS = ("condition", "finding", "sdoh")
WHEN_KEYS = {"age_gte", "age_lt", "chronic_conditions_gte", "any_category", "sex"}


class LibraryError(ValueError):
    """A template file does not have the expected shape."""


Text = dict[str, str]


@dataclass(frozen=True)
class InterventionTemplate:
    key: str
    description: Text
    performer: str
    frequency: str
    due_in_days: int | None = None


@dataclass(frozen=True)
class TargetRule:
    when: dict
    target: dict
    why: Text


@dataclass(frozen=True)
class GoalTemplate:
    key: str
    description: Text
    measure: tuple[str, str] | None  # (system, code)
    target_rules: tuple[TargetRule, ...]
    due_in_days: int
    priority: str
    owner: str
    interventions: tuple[InterventionTemplate, ...] = ()


@dataclass(frozen=True)
class PlanTemplate:
    id: str
    version: str
    kind: str
    title: Text
    triggers: tuple[str, ...]
    problem: dict
    source: str
    goals: tuple[GoalTemplate, ...]
    sdoh_category: str | None = None

    def goal_ref(self, goal: GoalTemplate) -> str:
        return f"{self.id}/{goal.key}@{self.version}"

    def intervention_ref(self, item: InterventionTemplate) -> str:
        return f"{self.id}/{item.key}@{self.version}"


@dataclass(frozen=True)
class PatientContext:
    """What target rules may look at."""

    age: int | None = None
    sex: str | None = None
    categories: frozenset[str] = frozenset()
    chronic_count: int = 0


@dataclass(frozen=True)
class ResolvedTarget:
    target: Target | None  # None while a baseline-relative target waits for a baseline
    why: Text
    baseline_offset: float | None = None


@dataclass(frozen=True)
class Suggestion:
    template: PlanTemplate
    goal: GoalTemplate
    trigger: str
    resolved: ResolvedTarget
    due_date: date

    @property
    def ref(self) -> str:
        return self.template.goal_ref(self.goal)


@dataclass(frozen=True)
class Library:
    templates: tuple[PlanTemplate, ...]
    _by_ref: dict[str, tuple[PlanTemplate, GoalTemplate | InterventionTemplate]] = field(
        default_factory=dict, compare=False
    )

    def latest(self) -> list[PlanTemplate]:
        """The newest version of each template id (versions compare as strings such as '2026.1')."""
        newest: dict[str, PlanTemplate] = {}
        for t in self.templates:
            if t.id not in newest or t.version > newest[t.id].version:
                newest[t.id] = t
        return sorted(newest.values(), key=lambda t: (KINDS.index(t.kind), t.id))

    def for_trigger(self, key: str) -> list[PlanTemplate]:
        return [t for t in self.latest() if key in t.triggers]

    def lookup(self, ref: str) -> tuple[PlanTemplate, GoalTemplate | InterventionTemplate] | None:
        """The template and goal or intervention a stored ref ('diabetes/dm-hba1c@2026.1') points to."""
        return self._by_ref.get(ref)

    def text(self, ref: str, written: str, lang: str) -> str:
        """``written`` in ``lang`` when it is a template text left as the template wrote it; else as written."""
        found = self.lookup(ref) if ref else None
        if found is None:
            return written
        texts = found[1].description
        if written.strip() in {v.strip() for v in texts.values()}:
            return texts.get(lang, written)
        return written


def _text(raw: object, where: str) -> Text:
    if not isinstance(raw, dict) or any(
        not isinstance(raw.get(lang), str) or not raw[lang] for lang in LANGUAGES
    ):
        raise LibraryError(f"{where}: needs text in {', '.join(LANGUAGES)}")
    return dict(raw)


def _target(raw: dict, where: str) -> dict:
    kind = raw.get("kind")
    if kind not in {k.value for k in TargetKind}:
        raise LibraryError(f"{where}: unknown target kind {kind!r}")
    probe = {k: v for k, v in raw.items() if k != "baseline_offset"}
    if "baseline_offset" in raw:
        if kind != "value":
            raise LibraryError(f"{where}: baseline_offset only fits a value target")
        probe["value"] = 0.0
    try:
        _make_target(probe).validate()
    except (TargetError, TypeError) as exc:
        raise LibraryError(f"{where}: {exc}") from exc
    return raw


def _make_target(raw: dict) -> Target:
    return Target(
        kind=TargetKind(raw["kind"]),
        comparator=raw.get("comparator"),
        value=raw.get("value"),
        low=raw.get("low"),
        high=raw.get("high"),
        direction=raw.get("direction"),
        change=raw.get("change"),
        change_pct=raw.get("change_pct"),
    )


def _goal(raw: dict, where: str) -> GoalTemplate:
    where = f"{where}/{raw.get('key')}"
    m = raw.get("measure")
    measure = None
    if m is not None:
        measure = (m.get("system", measures.LOINC), m["code"])
        if measures.catalog().get(*measure) is None:
            raise LibraryError(f"{where}: measure {measure} is not in measures.json")
    rules = []
    for i, r in enumerate(raw.get("target_rules", [])):
        unknown = set(r.get("when", {})) - WHEN_KEYS
        if unknown:
            raise LibraryError(f"{where}: unknown rule condition(s) {sorted(unknown)}")
        rules.append(
            TargetRule(r.get("when", {}), _target(r["target"], f"{where} rule {i}"), _text(r["why"], where))
        )
    if not rules or rules[-1].when:
        raise LibraryError(f"{where}: the last target rule must have an empty 'when' (the default)")
    if (measure is None) != all(r.target["kind"] == "milestone" for r in rules):
        raise LibraryError(f"{where}: milestone targets go with no measure, measured targets with one")
    items = []
    for it in raw.get("interventions", []):
        if it.get("performer") not in ROLES or it.get("frequency") not in FREQUENCIES:
            raise LibraryError(f"{where}/{it.get('key')}: bad performer or frequency")
        items.append(
            InterventionTemplate(
                key=it["key"],
                description=_text(it["description"], f"{where}/{it['key']}"),
                performer=it["performer"],
                frequency=it["frequency"],
                due_in_days=it.get("due_in_days"),
            )
        )
    if raw.get("priority") not in PRIORITIES or raw.get("owner") not in ROLES:
        raise LibraryError(f"{where}: bad priority or owner")
    return GoalTemplate(
        key=raw["key"],
        description=_text(raw["description"], where),
        measure=measure,
        target_rules=tuple(rules),
        due_in_days=int(raw["due_in_days"]),
        priority=raw["priority"],
        owner=raw["owner"],
        interventions=tuple(items),
    )


def _template(raw: dict, where: str) -> PlanTemplate:
    where = f"{where}:{raw.get('id')}"
    if raw.get("kind") not in KINDS or not raw.get("triggers") or not raw.get("version"):
        raise LibraryError(f"{where}: needs kind, version and triggers")
    if not raw.get("problem", {}).get("display"):
        raise LibraryError(f"{where}: needs a problem display")
    return PlanTemplate(
        id=raw["id"],
        version=str(raw["version"]),
        kind=raw["kind"],
        title=_text(raw["title"], where),
        triggers=tuple(raw["triggers"]),
        problem=raw["problem"],
        source=raw.get("source", ""),
        goals=tuple(_goal(g, where) for g in raw["goals"]),
        sdoh_category=raw.get("sdoh_category"),
    )


def load(directory: Path = TEMPLATES_DIR) -> Library:
    templates: list[PlanTemplate] = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        templates.extend(_template(t, path.name) for t in data["templates"])
    by_ref: dict[str, tuple[PlanTemplate, GoalTemplate | InterventionTemplate]] = {}
    seen_ids: set[tuple[str, str]] = set()
    for t in templates:
        if (t.id, t.version) in seen_ids:
            raise LibraryError(f"template {t.id} version {t.version} is defined twice")
        seen_ids.add((t.id, t.version))
        for g in t.goals:
            items: list[tuple[str, GoalTemplate | InterventionTemplate]] = [(t.goal_ref(g), g)]
            items += [(t.intervention_ref(i), i) for i in g.interventions]
            for ref, item in items:
                if ref in by_ref:
                    raise LibraryError(f"duplicate key {ref}")
                by_ref[ref] = (t, item)
    return Library(templates=tuple(templates), _by_ref=by_ref)


@cache
def library() -> Library:
    return load()


def _matches(when: dict, ctx: PatientContext) -> bool:
    checks = {
        "age_gte": lambda v: ctx.age is not None and ctx.age >= v,
        "age_lt": lambda v: ctx.age is not None and ctx.age < v,
        "chronic_conditions_gte": lambda v: ctx.chronic_count >= v,
        "any_category": lambda v: bool(ctx.categories & set(v)),
        "sex": lambda v: ctx.sex == v,
    }
    return all(checks[k](v) for k, v in when.items())


def resolve_target(goal: GoalTemplate, ctx: PatientContext, baseline: float | None) -> ResolvedTarget:
    """Pick the first matching rule; turn a baseline-relative value into a number when the baseline is known."""
    rule = next(r for r in goal.target_rules if _matches(r.when, ctx))
    raw = dict(rule.target)
    offset = raw.pop("baseline_offset", None)
    if offset is not None:
        if baseline is None:
            return ResolvedTarget(None, rule.why, baseline_offset=float(offset))
        raw["value"] = round(baseline + float(offset), 6)
    return ResolvedTarget(_make_target(raw), rule.why, baseline_offset=offset)


def suggest(
    keys: Iterable[str],
    ctx: PatientContext,
    today: date,
    *,
    baselines: dict[tuple[str, str], float] | None = None,
    exclude_refs: Iterable[str] = (),
    lib: Library | None = None,
) -> list[Suggestion]:
    """Goals the library offers for the patient's problem keys, minus those already in the plan.

    ``baselines`` maps a measure (system, code) to its latest value, for baseline-relative targets.
    Keys are condition categories, SDOH categories or finding domains, in the order the plan lists them.
    """
    lib = lib or library()
    baselines = baselines or {}
    excluded = {r.split("@")[0] for r in exclude_refs}
    out: list[Suggestion] = []
    seen: set[str] = set()
    for key in keys:
        for template in lib.for_trigger(key):
            for goal in template.goals:
                ref = template.goal_ref(goal)
                base = ref.split("@")[0]
                if base in excluded or base in seen:
                    continue
                seen.add(base)
                baseline = baselines.get(goal.measure) if goal.measure else None
                out.append(
                    Suggestion(
                        template=template,
                        goal=goal,
                        trigger=key,
                        resolved=resolve_target(goal, ctx, baseline),
                        due_date=today + timedelta(days=goal.due_in_days),
                    )
                )
    return out

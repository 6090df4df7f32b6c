"""Program eligibility as data, evaluated by small pure functions (no Django).

A rule is a tree of ``{"all": [...]}`` / ``{"any": [...]}`` nodes over leaves. The facts are a
mapping of one patient's current risk-score fields (age, tier, chronic_categories, flags,
days_since_discharge, ...) plus ``discharge_disposition`` of the latest discharge. Leaf types:

- ``chronic_conditions``: at least ``min_count`` of ``chronic_categories`` whose value-set duration
  (``min_duration_months`` in terminology's "chronic" value set) is at least the rule's.
- ``flag``: the exact flag is present. ``flag_prefix``: at least ``min_count`` flags start with
  ``prefix`` (e.g. "high_risk_condition:", "frailty:").
- ``compare``: ``field op value`` with op in ==, !=, <, <=, >, >=; a missing value fails.
- ``in``: ``field`` is one of ``values``; ``if_missing`` (a caution text) lets an unrecorded value pass.

Every leaf explains itself both ways, so a decision always carries the reasons that produced it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from carenav.terminology.valuesets import get_valueset

_OPS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "==": (operator.eq, "="),
    "!=": (operator.ne, "≠"),
    "<": (operator.lt, "<"),
    "<=": (operator.le, "≤"),
    ">": (operator.gt, ">"),
    ">=": (operator.ge, "≥"),
}
_LEAF_FIELDS: dict[str, tuple[str, ...]] = {
    "chronic_conditions": ("min_count", "min_duration_months"),
    "flag": ("flag", "label"),
    "flag_prefix": ("prefix", "min_count", "label"),
    "compare": ("field", "op", "value", "label"),
    "in": ("field", "values", "label", "met_text", "unmet_text"),
}


@dataclass(frozen=True)
class Decision:
    eligible: bool
    reasons: tuple[str, ...]


def validate_rule(node: Any) -> None:
    """Raise ValueError when a rule tree is malformed (checked once, when definitions load)."""
    if not isinstance(node, Mapping):
        raise ValueError("a rule node must be an object")
    for combinator in ("all", "any"):
        if combinator in node:
            children = node[combinator]
            if not isinstance(children, list) or not children:
                raise ValueError(f"{combinator!r} needs a non-empty list")
            for child in children:
                validate_rule(child)
            return
    kind = node.get("type")
    if kind not in _LEAF_FIELDS:
        raise ValueError(f"unknown rule type {kind!r}; known: {', '.join(_LEAF_FIELDS)}")
    missing = [name for name in _LEAF_FIELDS[kind] if name not in node]
    if missing:
        raise ValueError(f"{kind} rule is missing {', '.join(missing)}")
    if kind == "compare" and node["op"] not in _OPS:
        raise ValueError(f"unknown operator {node['op']!r}")


@lru_cache(maxsize=1)
def _chronic_categories() -> dict[str, tuple[str, int]]:
    """Category key → (display, expected duration in months) from the terminology value set."""
    valueset = get_valueset("chronic")
    return {c.key: (c.display, int(c.attributes.get("min_duration_months", 0))) for c in valueset.categories}


def _lower_first(text: str) -> str:
    """Lower-case "Heart failure" to "heart failure", but keep the acronym of "COPD or bronchiectasis"."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def category_label(key: str) -> str:
    chronic = _chronic_categories()
    if key in chronic:
        return _lower_first(chronic[key][0])
    return key.replace("_", " ").replace("-", " ")


def flag_label(flag_suffix: str, labels: Mapping[str, str] | None = None) -> str:
    if labels and flag_suffix in labels:
        return labels[flag_suffix]
    return category_label(flag_suffix)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _chronic(node: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[bool, str]:
    needed, months = int(node["min_count"]), int(node["min_duration_months"])
    chronic = _chronic_categories()
    lasting = [
        key for key in facts.get("chronic_categories") or () if key in chronic and chronic[key][1] >= months
    ]
    names = ", ".join(category_label(k) for k in lasting)
    head = f"{_plural(len(lasting), 'chronic condition')} lasting {months}+ months"
    if len(lasting) >= needed:
        return True, f"{head}: {names}"
    return False, f"{head} (needs {needed}){': ' + names if names else ''}"


def _flag(node: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[bool, str]:
    present = node["flag"] in (facts.get("flags") or ())
    return present, node["label"] if present else node.get("unmet", f"no {node['label']}")


def _flag_prefix(node: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[bool, str]:
    prefix = node["prefix"]
    found = [f[len(prefix) :] for f in facts.get("flags") or () if f.startswith(prefix)]
    labels = ", ".join(flag_label(s, node.get("labels")) for s in found)
    if len(found) >= int(node["min_count"]):
        return True, f"{node['label']}: {labels}"
    if found:
        return False, f"{node['label']}: {labels} (needs {node['min_count']})"
    return False, node.get("unmet", f"no {node['label']}")


def _compare(node: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[bool, str]:
    actual = facts.get(node["field"])
    compare, symbol = _OPS[node["op"]]
    label, unit = node["label"], node.get("unit", "")
    if actual is None:
        return False, node.get("missing", f"{label} unknown")
    shown = f"{label} {actual}{' ' + unit if unit else ''}"
    if compare(actual, node["value"]):
        return True, shown if node["op"] == "==" else f"{shown} ({symbol} {node['value']})"
    return False, f"{label} {actual}, needs {symbol} {node['value']}"


def _in(node: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[bool, str]:
    actual = facts.get(node["field"])
    if actual in (None, ""):
        if "if_missing" in node:
            return True, node["if_missing"]
        return False, f"{node['label']} unknown"
    if str(actual).lower() in {str(v).lower() for v in node["values"]}:
        return True, f"{node['met_text']} ({actual})"
    return False, f"{node['unmet_text']} ({actual})"


_LEAVES: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[bool, str]]] = {
    "chronic_conditions": _chronic,
    "flag": _flag,
    "flag_prefix": _flag_prefix,
    "compare": _compare,
    "in": _in,
}


def _evaluate(node: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """(met, reasons): the reasons that made it pass, or the ones that made it fail."""
    if "all" in node or "any" in node:
        results = [_evaluate(child, facts) for child in node.get("all") or node["any"]]
        met = all(r[0] for r in results) if "all" in node else any(r[0] for r in results)
        return met, [text for ok, texts in results if ok == met for text in texts]
    ok, text = _LEAVES[node["type"]](node, facts)
    return ok, [text]


def evaluate(rule: Mapping[str, Any], facts: Mapping[str, Any]) -> Decision:
    """Eligible or not, with the reasons, for one patient's facts."""
    eligible, reasons = _evaluate(rule, facts)
    return Decision(eligible=eligible, reasons=tuple(reasons))


def evaluate_programs(programs: Sequence[Any], facts: Mapping[str, Any]) -> dict[str, Decision]:
    """One decision per program (anything with ``code`` and ``eligibility``)."""
    return {program.code: evaluate(program.eligibility, facts) for program in programs}

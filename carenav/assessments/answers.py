"""Answers: normalise them, apply enableWhen skip logic, validate them (Django-free).

The normalised form is a JSON-ready dict keyed by linkId: a code for a single choice, a list of codes
for a repeating choice, a bool, a number, or a string. It is both the simple JSON the API accepts and
what a stored response keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carenav.assessments.definitions import AnswerValue, EnableWhen, Instrument, Item

Answers = dict[str, AnswerValue]


@dataclass(frozen=True)
class ItemError:
    link_id: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"linkId": self.link_id, "code": self.code, "message": self.message}


class AnswerValidationError(Exception):
    """One or more answers are invalid; ``errors`` names every offending item."""

    def __init__(self, errors: Iterable[ItemError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.link_id}: {e.message}" for e in self.errors))


@dataclass
class ValidatedAnswers:
    answers: Answers
    ignored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def _is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _normalise(item: Item, value: Any) -> tuple[AnswerValue | None, ItemError | None]:
    """Convert one raw answer to its normal form, or explain why it is not acceptable."""

    def wrong(expected: str) -> tuple[None, ItemError]:
        return None, ItemError(item.link_id, "wrong-type", f"expected {expected}, got {value!r}")

    if item.type == "choice":
        values = value if isinstance(value, list) else [value]
        if len(values) > 1 and not item.repeats:
            return None, ItemError(item.link_id, "too-many-answers", "only one answer is allowed")
        codes: list[str] = []
        for one in values:
            if isinstance(one, Mapping):
                one = one.get("code")
            if not isinstance(one, str) or not one:
                return wrong("an answer code")
            option = item.option(one)
            if option is None:
                allowed = ", ".join(o.coding.code for o in item.options)
                return None, ItemError(
                    item.link_id, "not-an-option", f"{one!r} is not among the options ({allowed})"
                )
            if one not in codes:
                codes.append(one)
        if len(codes) > 1 and any(item.option(c).exclusive for c in codes):  # type: ignore[union-attr]
            return None, ItemError(item.link_id, "exclusive-option", "an exclusive option cannot be combined")
        return (codes if item.repeats else codes[0]), None
    if item.type == "boolean":
        return (value, None) if isinstance(value, bool) else wrong("true or false")
    if item.type == "integer":
        return (
            (value, None)
            if isinstance(value, int) and not isinstance(value, bool)
            else wrong("a whole number")
        )
    if item.type == "decimal":
        return (
            (value, None)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else wrong("a number")
        )
    if item.type == "date":
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return wrong("a date YYYY-MM-DD")
        return value, None
    if isinstance(value, str):
        return value.strip(), None
    return wrong("text")


def _matches(ew: EnableWhen, value: AnswerValue | None) -> bool:
    """FHIR R4 enableWhen semantics; an unanswered or disabled question has no value."""
    answered = _is_answered(value)
    if ew.operator == "exists":
        return answered is ew.answer
    values = value if isinstance(value, list) else ([value] if answered else [])
    if ew.operator == "=":
        return any(v == ew.answer for v in values)
    if ew.operator == "!=":
        return all(v != ew.answer for v in values)
    comparisons = {
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
    }
    compare = comparisons[ew.operator]
    return any(compare(v, ew.answer) for v in values if _comparable(v, ew.answer))


def _comparable(a: Any, b: Any) -> bool:
    def number(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool)

    return (number(a) and number(b)) or (isinstance(a, str) and isinstance(b, str))


def enabled_link_ids(instrument: Instrument, answers: Mapping[str, Any]) -> set[str]:
    """The linkIds enabled given the answers (enableWhen only refers to earlier items)."""
    enabled: set[str] = set()

    def visit(item: Item, parent_enabled: bool) -> None:
        on = parent_enabled
        if on and item.enable_when:
            results = [
                _matches(ew, answers.get(ew.question) if ew.question in enabled else None)
                for ew in item.enable_when
            ]
            on = all(results) if item.enable_behavior == "all" else any(results)
        if on:
            enabled.add(item.link_id)
        for child in item.items:
            visit(child, on)

    for item in instrument.items:
        visit(item, True)
    return enabled


def missing_required(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    enabled = enabled_link_ids(instrument, answers)
    return [
        i.link_id
        for i in instrument.walk()
        if i.answerable and i.required and i.link_id in enabled and not _is_answered(answers.get(i.link_id))
    ]


def validate_answers(instrument: Instrument, raw: Mapping[str, Any], *, complete: bool) -> ValidatedAnswers:
    """Normalise and check answers. Disabled items' answers are dropped (listed in ``ignored``).

    With ``complete=True`` a required, enabled, unanswered item is an error; otherwise it is only
    reported in ``missing`` so an in-progress response can be saved.
    """
    if not isinstance(raw, Mapping):
        raise AnswerValidationError(
            [ItemError("", "wrong-type", "answers must be an object keyed by linkId")]
        )
    errors: list[ItemError] = []
    normal: Answers = {}
    for link_id, value in raw.items():
        item = instrument.item(str(link_id))
        if item is None:
            errors.append(ItemError(str(link_id), "unknown-item", f"{instrument.id} has no item {link_id!r}"))
            continue
        if not item.answerable:
            errors.append(ItemError(item.link_id, "not-answerable", f"a {item.type} item takes no answer"))
            continue
        if not _is_answered(value):
            continue
        converted, error = _normalise(item, value)
        if error is not None:
            errors.append(error)
        elif _is_answered(converted):
            normal[item.link_id] = converted  # type: ignore[assignment]
    if errors:
        raise AnswerValidationError(errors)
    enabled = enabled_link_ids(instrument, normal)
    ignored = sorted(k for k in normal if k not in enabled)
    kept = {k: v for k, v in normal.items() if k in enabled}
    missing = missing_required(instrument, kept)
    if complete and missing:
        raise AnswerValidationError(
            ItemError(m, "required", "a required item is not answered") for m in missing
        )
    return ValidatedAnswers(answers=kept, ignored=ignored, missing=missing)


def answers_from_form(instrument: Instrument, data: Mapping[str, list[str]]) -> dict[str, Any]:
    """Convert HTML form values (lists of strings keyed by linkId) into raw answers by item type.

    Keys that are not linkIds of the instrument are ignored (CSRF token, buttons); values that do
    not convert are passed through unchanged so validation names the item.
    """
    raw: dict[str, Any] = {}
    for item in instrument.answerable_items():
        values = [v for v in data.get(item.link_id, []) if v != ""]
        if not values:
            continue
        if item.type == "choice":
            raw[item.link_id] = values if item.repeats else values[-1]
        elif item.type == "boolean":
            raw[item.link_id] = {"true": True, "false": False}.get(values[-1], values[-1])
        elif item.type in ("integer", "decimal"):
            text = values[-1].strip()
            try:
                raw[item.link_id] = int(text) if item.type == "integer" else float(text)
            except ValueError:
                raw[item.link_id] = text
        else:
            raw[item.link_id] = values[-1]
    return raw


_VALUE_KEYS = ("valueCoding", "valueBoolean", "valueInteger", "valueDecimal", "valueString", "valueDate")


def answers_from_questionnaire_response(
    instrument: Instrument, response: Mapping[str, Any]
) -> dict[str, Any]:
    """Flatten a FHIR QuestionnaireResponse into raw answers keyed by linkId.

    The response must point at this instrument's canonical url (optionally ``|version`` equal to the
    loaded version). Codings must use the option's system.
    """
    errors: list[ItemError] = []
    if response.get("resourceType") != "QuestionnaireResponse":
        raise AnswerValidationError(
            [ItemError("", "wrong-type", "resourceType must be QuestionnaireResponse")]
        )
    canonical = str(response.get("questionnaire") or "")
    url, _, version = canonical.partition("|")
    if canonical and url != instrument.url:
        errors.append(
            ItemError("", "wrong-questionnaire", f"questionnaire {url!r} is not {instrument.url!r}")
        )
    if version and version != instrument.version:
        errors.append(
            ItemError(
                "", "wrong-version", f"version {version!r} is not the current version {instrument.version!r}"
            )
        )
    raw: dict[str, Any] = {}

    def visit(items: Iterable[Mapping[str, Any]]) -> None:
        for entry in items:
            link_id = str(entry.get("linkId") or "")
            item = instrument.item(link_id)
            if item is None:
                errors.append(ItemError(link_id, "unknown-item", f"{instrument.id} has no item {link_id!r}"))
                continue
            values: list[Any] = []
            for answer in entry.get("answer") or []:
                keys = [k for k in _VALUE_KEYS if k in answer]
                if len(keys) != 1:
                    errors.append(
                        ItemError(link_id, "wrong-type", "each answer needs one supported value[x]")
                    )
                    continue
                value = answer[keys[0]]
                if keys[0] == "valueCoding":
                    option = item.option(str(value.get("code")))
                    system = value.get("system")
                    if option is not None and system and system != option.coding.system:
                        errors.append(
                            ItemError(link_id, "not-an-option", f"system {system!r} does not match")
                        )
                        continue
                    value = value.get("code")
                values.append(value)
                visit(answer.get("item") or [])
            if values:
                raw[link_id] = values if item.repeats else (values[0] if len(values) == 1 else values)
            visit(entry.get("item") or [])

    visit(response.get("item") or [])
    if errors:
        raise AnswerValidationError(errors)
    return raw

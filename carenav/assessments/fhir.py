"""FHIR R4 views of instruments and responses (Django-free): Questionnaire, QuestionnaireResponse and
score Observations, checked with the fhir.resources R4B models (which accept R4 data)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from carenav.assessments.definitions import AnswerOption, Instrument, Item, Registry
from carenav.assessments.scoring import AssessmentResult

ORDINAL_EXT = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
TRANSLATION_EXT = "http://hl7.org/fhir/StructureDefinition/translation"
EXCLUSIVE_EXT = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
ITEM_CONTROL_EXT = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"

_MODELS: dict[str, Any] = {
    "Questionnaire": Questionnaire,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Observation": Observation,
    "Bundle": Bundle,
}


class FhirValidationError(ValueError):
    """A resource does not conform to FHIR R4 (message lists the offending paths)."""


# Required bindings of the codes carenav emits (fhir.resources checks structure, not value sets).
_STATUS = {
    "Questionnaire": {"draft", "active", "retired", "unknown"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
    "Observation": {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
}
_BUNDLE_TYPES = {
    "document",
    "message",
    "transaction",
    "transaction-response",
    "batch",
    "batch-response",
    "history",
    "searchset",
    "collection",
}
_ITEM_TYPES = {
    "group",
    "display",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
}
_OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}


def _binding_problems(resource: Mapping[str, Any]) -> list[str]:
    kind = resource.get("resourceType")
    problems = []
    if kind in _STATUS and resource.get("status") not in _STATUS[kind]:
        problems.append(f"status: {resource.get('status')!r} is not in the {kind} status value set")
    if kind == "Bundle":
        if resource.get("type") not in _BUNDLE_TYPES:
            problems.append(f"type: {resource.get('type')!r} is not a Bundle type")
        for entry in resource.get("entry") or []:
            problems += _binding_problems(entry.get("resource") or {})

    def items(entries: list[Mapping[str, Any]], path: str) -> None:
        for index, item in enumerate(entries):
            where = f"{path}.{index}"
            if kind == "Questionnaire" and item.get("type") not in _ITEM_TYPES:
                problems.append(f"{where}.type: {item.get('type')!r} is not an item type")
            for ew in item.get("enableWhen") or []:
                if ew.get("operator") not in _OPERATORS:
                    problems.append(f"{where}.enableWhen.operator: {ew.get('operator')!r}")
            if item.get("enableBehavior") not in (None, "all", "any"):
                problems.append(f"{where}.enableBehavior: {item.get('enableBehavior')!r}")
            items(item.get("item") or [], f"{where}.item")
            for answer in item.get("answer") or []:
                items(answer.get("item") or [], f"{where}.answer.item")

    items(resource.get("item") or [], "item")
    return problems


def validate(resource: Mapping[str, Any]) -> None:
    """Raise FhirValidationError unless the resource parses as its FHIR R4 type (fhir.resources R4B
    models: structure, cardinality, primitive formats) and its required code bindings hold."""
    model = _MODELS.get(str(resource.get("resourceType")))
    if model is None:
        raise FhirValidationError(f"unsupported resourceType {resource.get('resourceType')!r}")
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        errors = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        raise FhirValidationError(errors) from exc
    problems = _binding_problems(resource)
    if problems:
        raise FhirValidationError("; ".join(problems[:10]))


def fhir_id(*parts: object) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) built from the parts."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", "-".join(str(p) for p in parts))[:64]


def _translations(texts: Mapping[str, str], lang: str) -> dict[str, Any] | None:
    """The primitive extension carrying the other languages' text."""
    others = [(code, text) for code, text in texts.items() if code != lang and text]
    if not others:
        return None
    return {
        "extension": [
            {
                "url": TRANSLATION_EXT,
                "extension": [{"url": "lang", "valueCode": code}, {"url": "content", "valueString": text}],
            }
            for code, text in others
        ]
    }


def _option(option: AnswerOption, lang: str) -> dict[str, Any]:
    coding: dict[str, Any] = option.coding.as_fhir()
    coding["display"] = option.display_in(lang)
    translated = _translations({"en": option.coding.display, **option.translations}, lang)
    if translated:
        coding["_display"] = translated
    data: dict[str, Any] = {"valueCoding": coding}
    extensions = []
    if option.score is not None:
        extensions.append({"url": ORDINAL_EXT, "valueDecimal": option.score})
    if option.exclusive:
        extensions.append({"url": EXCLUSIVE_EXT, "valueBoolean": True})
    if extensions:
        data["extension"] = extensions
    return data


def _enable_when_answer(instrument: Instrument, question: str, answer: Any) -> tuple[str, Any]:
    target = instrument.item(question)
    if isinstance(answer, bool):
        return "answerBoolean", answer
    if target is not None and target.type == "choice":
        option = target.option(answer)
        return "answerCoding", option.coding.as_fhir() if option else {"code": answer}
    if isinstance(answer, int):
        return "answerInteger", answer
    if isinstance(answer, float):
        return "answerDecimal", answer
    return ("answerDate" if target is not None and target.type == "date" else "answerString"), answer


def _item(instrument: Instrument, item: Item, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = {"linkId": item.link_id}
    if item.codes:
        data["code"] = [c.as_fhir() for c in item.codes]
    data["text"] = item.text_in(lang)
    translated = _translations({"en": item.text, **item.translations}, lang)
    if translated:
        data["_text"] = translated
    data["type"] = item.type
    if item.enable_when:
        data["enableWhen"] = []
        for ew in item.enable_when:
            key, value = _enable_when_answer(instrument, ew.question, ew.answer)
            data["enableWhen"].append({"question": ew.question, "operator": ew.operator, key: value})
        if len(item.enable_when) > 1:
            data["enableBehavior"] = item.enable_behavior
    if item.answerable:
        data["required"] = item.required
    if item.repeats:
        data["repeats"] = True
    if item.options:
        data["answerOption"] = [_option(o, lang) for o in item.options]
    children = [_item(instrument, child, lang) for child in item.items]
    if item.help_text:
        children.insert(
            0,
            {
                "extension": [
                    {
                        "url": ITEM_CONTROL_EXT,
                        "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help"}]},
                    }
                ],
                "linkId": f"{item.link_id}-help",
                "text": item.help_in(lang),
                "type": "display",
            },
        )
    if children:
        data["item"] = children
    return data


def questionnaire(instrument: Instrument, lang: str = "en") -> dict[str, Any]:
    """The instrument as a FHIR R4 Questionnaire, with text in ``lang`` and translations alongside."""
    data: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": instrument.id,
        "language": lang if lang in instrument.languages else "en",
        "url": instrument.url,
        "version": instrument.version,
        "name": instrument.name,
        "title": instrument.title_in(lang),
        "status": instrument.status,
        "subjectType": ["Patient"],
        "publisher": instrument.publisher or "carenav",
        "description": instrument.description_in(lang) or instrument.title,
        "copyright": instrument.copyright or instrument.license,
    }
    if instrument.code:
        data["code"] = [instrument.code.as_fhir()]
    data["item"] = [_item(instrument, item, lang) for item in instrument.items]
    return data


def _answer(item: Item, value: Any) -> list[dict[str, Any]]:
    if item.type == "choice":
        codes = value if isinstance(value, list) else [value]
        return [{"valueCoding": item.option(code).coding.as_fhir()} for code in codes if item.option(code)]  # type: ignore[union-attr]
    key = {
        "boolean": "valueBoolean",
        "integer": "valueInteger",
        "decimal": "valueDecimal",
        "date": "valueDate",
    }.get(item.type, "valueString")
    return [{key: value}]


def _response_items(items: list[Item], answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        if item.type == "group":
            children = _response_items(item.items, answers)
            if children:
                out.append({"linkId": item.link_id, "text": item.text, "item": children})
        elif item.answerable and answers.get(item.link_id) not in (None, "", []):
            answer = _answer(item, answers[item.link_id])
            if answer:
                out.append({"linkId": item.link_id, "text": item.text, "answer": answer})
    return out


def questionnaire_response(
    instrument: Instrument,
    answers: Mapping[str, Any],
    *,
    response_id: str,
    subject_reference: str,
    authored: dt.datetime,
    status: str,
    version: str | None = None,
    author_display: str = "",
    language: str = "en",
) -> dict[str, Any]:
    """A FHIR R4 QuestionnaireResponse for stored answers; ``version`` is the version they were given to."""
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": fhir_id(response_id),
        "language": language,
        "questionnaire": f"{instrument.url}|{version or instrument.version}",
        "status": status,
        "subject": {"reference": subject_reference},
        "authored": authored.isoformat(),
    }
    if author_display:
        data["author"] = {"display": author_display}
    items = _response_items(instrument.items, answers)
    if items:
        data["item"] = items
    return data


def score_observations(
    result: AssessmentResult,
    registry: Registry,
    *,
    response_id: str,
    subject_reference: str,
    effective: dt.datetime,
) -> list[dict[str, Any]]:
    """One final Observation per computed score that has a code (LOINC where one exists)."""
    observations: list[dict[str, Any]] = []
    for component in result.components:
        instrument = registry.get(component.instrument_id)
        sdoh = bool(instrument and instrument.sdoh)
        for score in component.scores:
            if score.code is None or (score.value is None and score.value_coding is None):
                continue
            categories = [
                {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
            ]
            if sdoh:
                categories.append(
                    {"coding": [{"system": US_CORE_CATEGORY, "code": "sdoh", "display": "SDOH"}]}
                )
            observation: dict[str, Any] = {
                "resourceType": "Observation",
                "id": fhir_id(response_id, component.instrument_id, score.id),
                "status": "final",
                "category": categories,
                "code": {"coding": [score.code], "text": score.label},
                "subject": {"reference": subject_reference},
                "effectiveDateTime": effective.isoformat(),
                "derivedFrom": [{"reference": f"QuestionnaireResponse/{fhir_id(response_id)}"}],
            }
            if score.value_coding is not None:
                observation["valueCodeableConcept"] = {"coding": [score.value_coding]}
            elif float(score.value).is_integer():  # type: ignore[arg-type]
                observation["valueInteger"] = int(score.value)  # type: ignore[arg-type]
            else:
                observation["valueQuantity"] = {"value": score.value, "unit": "{score}"}
            if score.band_label:
                observation["interpretation"] = [{"text": score.band_label}]
            observations.append(observation)
    return observations


def collection_bundle(
    resources: list[dict[str, Any]], *, bundle_id: str, timestamp: dt.datetime
) -> dict[str, Any]:
    """A collection Bundle with full URLs relative to the server base."""
    return {
        "resourceType": "Bundle",
        "id": fhir_id(bundle_id),
        "type": "collection",
        "timestamp": timestamp.isoformat(),
        "entry": [{"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
    }

"""View-models for the assessment pages: the form with skip logic applied, and the result in plain words.

Templates only loop over these; no clinical rule is evaluated in a template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carenav.assessments.answers import enabled_link_ids
from carenav.assessments.codes import domain_label
from carenav.assessments.definitions import Instrument, Item, Registry
from carenav.assessments.scoring import AssessmentResult, InstrumentResult

LANGUAGE_NAMES = {"en": "English", "es": "Español"}

# Page text for people answering in their own language; clinical text comes from the instruments.
UI_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "yes": "Yes",
        "no": "No",
        "required": "required",
        "save": "Save and finish later",
        "submit": "Submit",
        "answered": "answered",
        "missing": "These required questions still need an answer:",
        "errors": "Some answers could not be accepted:",
        "choose_all": "Choose all that apply",
    },
    "es": {
        "yes": "Sí",
        "no": "No",
        "required": "obligatoria",
        "save": "Guardar y terminar después",
        "submit": "Enviar",
        "answered": "respondidas",
        "missing": "Estas preguntas obligatorias todavía necesitan respuesta:",
        "errors": "Algunas respuestas no se pudieron aceptar:",
        "choose_all": "Marque todas las que correspondan",
    },
}

DOMAIN_TITLES = {
    "medical-history": "Medical history",
    "functional": "Functional status",
    "mental-health": "Mental health",
    "social-needs": "Social needs",
    "support-system": "Support system",
    "medications": "Medications",
    "priorities": "Patient priorities",
}


def ui_text(lang: str) -> dict[str, str]:
    return UI_TEXT.get(lang, UI_TEXT["en"])


@dataclass
class OptionView:
    value: str
    label: str
    checked: bool
    input_id: str


@dataclass
class ItemView:
    link_id: str
    type: str
    text: str
    help: str
    required: bool
    repeats: bool
    input_id: str
    value: Any = None
    options: list[OptionView] = field(default_factory=list)
    children: list[ItemView] = field(default_factory=list)
    error: str = ""
    missing: bool = False
    context: str = ""
    domain: str = ""
    depth: int = 0

    @property
    def is_group(self) -> bool:
        return self.type == "group"


def _input_id(link_id: str, suffix: str = "") -> str:
    base = "q-" + "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in link_id)
    return f"{base}-{suffix}" if suffix else base


def _item_view(
    item: Item,
    answers: Mapping[str, Any],
    enabled: set[str],
    lang: str,
    errors: Mapping[str, str],
    missing: set[str],
    depth: int,
) -> ItemView | None:
    if item.link_id not in enabled:
        return None
    value = answers.get(item.link_id)
    view = ItemView(
        link_id=item.link_id,
        type=item.type,
        text=item.text_in(lang),
        help=item.help_in(lang),
        required=item.required,
        repeats=item.repeats,
        input_id=_input_id(item.link_id),
        value=value,
        error=errors.get(item.link_id, ""),
        missing=item.link_id in missing,
        context=item.context,
        domain=item.domain,
        depth=depth,
    )
    if item.type == "choice":
        chosen = set(value) if isinstance(value, list) else {value}
        view.options = [
            OptionView(
                o.coding.code,
                o.display_in(lang),
                o.coding.code in chosen,
                _input_id(item.link_id, o.coding.code),
            )
            for o in item.options
        ]
    elif item.type == "boolean":
        text = ui_text(lang)
        view.options = [
            OptionView("true", text["yes"], value is True, _input_id(item.link_id, "yes")),
            OptionView("false", text["no"], value is False, _input_id(item.link_id, "no")),
        ]
    for child in item.items:
        child_view = _item_view(child, answers, enabled, lang, errors, missing, depth + 1)
        if child_view is not None:
            view.children.append(child_view)
    return view


@dataclass
class FormView:
    items: list[ItemView]
    answered: int
    total: int
    missing: list[ItemView]
    errors: list[tuple[str, str]]


def build_form(
    instrument: Instrument,
    answers: Mapping[str, Any],
    *,
    lang: str,
    errors: Mapping[str, str] | None = None,
    missing: list[str] | None = None,
) -> FormView:
    """The enabled items only (skip logic applied), answers filled in, problems marked."""
    errors = errors or {}
    missing_set = set(missing or [])
    enabled = enabled_link_ids(instrument, answers)
    items = [
        view
        for item in instrument.items
        if (view := _item_view(item, answers, enabled, lang, errors, missing_set, 0)) is not None
    ]
    answerable = [i for i in instrument.walk() if i.answerable and i.link_id in enabled]
    answered = sum(1 for i in answerable if answers.get(i.link_id) not in (None, "", []))

    def flatten(views: list[ItemView]) -> list[ItemView]:
        return [x for v in views for x in ([v] + flatten(v.children))]

    flat = flatten(items)
    return FormView(
        items=items,
        answered=answered,
        total=len(answerable),
        missing=[v for v in flat if v.missing],
        errors=[(link_id, message) for link_id, message in errors.items()],
    )


@dataclass
class ComponentView:
    result: InstrumentResult
    lines: list[str]
    positive_domains: list[str]


@dataclass
class SectionView:
    title: str
    domain: str
    components: list[ComponentView]


def _component_view(component: InstrumentResult) -> ComponentView:
    return ComponentView(
        result=component,
        lines=[s.plain for s in component.scores],
        positive_domains=[d.label for d in component.positive_domains],
    )


def result_sections(instrument: Instrument, result: AssessmentResult) -> list[SectionView]:
    """The result grouped by domain: the composite's sections, or one section for a single instrument."""
    if not instrument.is_composite:
        return [
            SectionView(instrument.title, instrument.domain, [_component_view(c) for c in result.components])
        ]
    sections = []
    for group in instrument.items:
        components = [
            _component_view(c) for child in group.items if (c := result.component(child.link_id)) is not None
        ]
        if components:
            sections.append(SectionView(group.text, group.domain, components))
    return sections


def answer_rows(instrument: Instrument, answers: Mapping[str, Any], lang: str) -> list[tuple[int, str, str]]:
    """(depth, question, answer) rows in form order, group titles with an empty answer."""
    rows: list[tuple[int, str, str]] = []

    def visit(item: Item, depth: int) -> None:
        if item.type == "group":
            if any(i.link_id in answers for i in item.walk()):
                rows.append((depth, item.text_in(lang), ""))
                for child in item.items:
                    visit(child, depth + 1)
            return
        if item.link_id not in answers:
            return
        value = answers[item.link_id]
        if item.type == "choice":
            codes = value if isinstance(value, list) else [value]
            shown = "; ".join(o.display_in(lang) for c in codes if (o := item.option(c)) is not None)
        elif item.type == "boolean":
            shown = ui_text(lang)["yes"] if value else ui_text(lang)["no"]
        else:
            shown = str(value)
        rows.append((depth, item.text_in(lang), shown))

    for item in instrument.items:
        visit(item, 0)
    return rows


def instrument_choices(registry: Registry) -> list[dict[str, Any]]:
    """The instruments a care manager can start, composite first, grouped labels for the picker."""
    return [
        {
            "id": i.id,
            "title": i.title,
            "short_name": i.short_name,
            "domain": DOMAIN_TITLES.get(i.domain, i.domain.replace("-", " ").capitalize()),
            "languages": ", ".join(LANGUAGE_NAMES.get(lang, lang) for lang in i.languages),
        }
        for i in registry.all()
    ]


def finding_domain_label(domain: str) -> str:
    return domain_label(domain)

"""Instrument definitions: load the versioned JSON files, expand them and validate them (Django-free).

Each file in ``instruments/`` is shaped like a FHIR R4 Questionnaire (id, url, version, item[] with
linkId, code, text, type, required, answerOption, enableWhen) plus a ``carenav`` block with what FHIR
does not carry natively: option scores, shared option sets, scores with bands and cut-offs, positive
domains, safety flags, finding rules, source, license and the choices made on contested points.
A broken file raises :class:`InstrumentDefinitionError` naming the file and the item.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carenav.assessments.codes import (
    FINDING_KINDS,
    FINDING_SEVERITIES,
    FLAG_SEVERITIES,
    LOINC,
    domain_label,
    loinc_check_digit_ok,
)

INSTRUMENT_DIR = Path(__file__).parent / "instruments"
LANGUAGES = ("en", "es")
ITEM_TYPES = frozenset(
    {"group", "display", "boolean", "choice", "integer", "decimal", "string", "text", "date"}
)
ANSWERABLE_TYPES = ITEM_TYPES - {"group", "display"}
OPERATORS = frozenset({"exists", "=", "!=", ">", "<", ">=", "<="})
SCORE_METHODS = frozenset({"sum", "count", "rule"})
CONDITION_KEYS = frozenset({"item", "score", "domain", "any", "all", "not"})
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
_LOINC_PART_RE = re.compile(r"^L[ALP]\d+-\d$")

AnswerValue = str | bool | int | float | list[str]
Condition = Mapping[str, Any]


class InstrumentDefinitionError(Exception):
    """A definition file is invalid. The message names the file and, where relevant, the item."""

    def __init__(self, path: Path | str, message: str, link_id: str | None = None) -> None:
        self.path = Path(path)
        self.link_id = link_id
        where = f" (item {link_id!r})" if link_id else ""
        super().__init__(f"{self.path.name}{where}: {message}")


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str = ""

    def as_fhir(self) -> dict[str, str]:
        data = {"system": self.system, "code": self.code}
        if self.display:
            data["display"] = self.display
        return data


@dataclass(frozen=True)
class AnswerOption:
    coding: Coding
    score: float | None = None
    exclusive: bool = False
    translations: Mapping[str, str] = field(default_factory=dict)

    def display_in(self, lang: str) -> str:
        return self.translations.get(lang) or self.coding.display


@dataclass(frozen=True)
class EnableWhen:
    question: str
    operator: str
    answer: Any


@dataclass
class Item:
    link_id: str
    type: str
    text: str
    instrument_id: str
    translations: Mapping[str, str] = field(default_factory=dict)
    codes: tuple[Coding, ...] = ()
    required: bool = False
    repeats: bool = False
    options: tuple[AnswerOption, ...] = ()
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: str = "all"
    items: list[Item] = field(default_factory=list)
    domain: str = ""
    context: str = ""
    help_text: str = ""
    help_translations: Mapping[str, str] = field(default_factory=dict)
    includes: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return self.type in ANSWERABLE_TYPES

    def text_in(self, lang: str) -> str:
        return self.translations.get(lang) or self.text

    def help_in(self, lang: str) -> str:
        return self.help_translations.get(lang) or self.help_text

    def option(self, code: str) -> AnswerOption | None:
        return next((o for o in self.options if o.coding.code == code), None)

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.items:
            yield from child.walk()


@dataclass(frozen=True)
class Band:
    min: float
    max: float
    code: str
    label: str


@dataclass(frozen=True)
class ScoreDef:
    id: str
    label: str
    method: str
    code: Coding | None = None
    items: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    when: Condition | None = None
    value_true: Coding | None = None
    value_false: Coding | None = None
    min: float | None = None
    max: float | None = None
    bands: tuple[Band, ...] = ()
    positive_min: float | None = None
    positive_min_by_sex: Mapping[str, float] = field(default_factory=dict)
    positive_note: str = ""

    def band_for(self, value: float) -> Band | None:
        return next((b for b in self.bands if b.min <= value <= b.max), None)


@dataclass(frozen=True)
class DomainDef:
    id: str
    label: str
    when: Condition


@dataclass(frozen=True)
class FlagDef:
    id: str
    severity: str
    label: str
    action: str
    when: Condition


@dataclass(frozen=True)
class NoteDef:
    when: Condition
    text: str


@dataclass(frozen=True)
class FindingRule:
    kind: str
    domain: str
    code: Coding
    when: Condition
    label: str
    severity: str = ""
    severity_score: str = ""
    severity_by_band: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Instrument:
    id: str
    url: str
    version: str
    name: str
    title: str
    short_name: str
    status: str
    description: str
    copyright: str
    publisher: str
    source: str
    license: str
    domain: str
    path: Path
    code: Coding | None = None
    languages: tuple[str, ...] = ("en",)
    title_translations: Mapping[str, str] = field(default_factory=dict)
    description_translations: Mapping[str, str] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    sdoh: bool = False
    items: list[Item] = field(default_factory=list)
    scores: tuple[ScoreDef, ...] = ()
    domains: tuple[DomainDef, ...] = ()
    flags: tuple[FlagDef, ...] = ()
    findings: tuple[FindingRule, ...] = ()
    notes: tuple[NoteDef, ...] = ()
    components: tuple[str, ...] = ()

    @property
    def is_composite(self) -> bool:
        return bool(self.components)

    def title_in(self, lang: str) -> str:
        return self.title_translations.get(lang) or self.title

    def description_in(self, lang: str) -> str:
        return self.description_translations.get(lang) or self.description

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()

    @functools.cached_property
    def item_index(self) -> dict[str, Item]:
        return {item.link_id: item for item in self.walk()}

    def item(self, link_id: str) -> Item | None:
        return self.item_index.get(link_id)

    def answerable_items(self) -> list[Item]:
        return [i for i in self.walk() if i.answerable]

    def score(self, score_id: str) -> ScoreDef | None:
        return next((s for s in self.scores if s.id == score_id), None)


@dataclass
class Registry:
    """All loaded instruments, by id and by canonical url."""

    instruments: dict[str, Instrument]

    def get(self, instrument_id: str) -> Instrument | None:
        return self.instruments.get(instrument_id)

    def by_url(self, url: str) -> Instrument | None:
        return next((i for i in self.instruments.values() if i.url == url), None)

    def all(self) -> list[Instrument]:
        return sorted(self.instruments.values(), key=lambda i: (i.is_composite is False, i.title))

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self.instruments)


# --------------------------------------------------------------------------------------------- parsing


class _Parser:
    """Builds one Instrument from one file's JSON; every error names the file and item."""

    def __init__(self, path: Path, data: Mapping[str, Any]) -> None:
        self.path = path
        self.data = data
        self.meta: Mapping[str, Any] = data.get("carenav") or {}
        self.option_sets: Mapping[str, Any] = self.meta.get("optionSets") or {}

    def fail(self, message: str, link_id: str | None = None) -> InstrumentDefinitionError:
        return InstrumentDefinitionError(self.path, message, link_id)

    def require(self, mapping: Mapping[str, Any], key: str, kind: Any, link_id: str | None = None) -> Any:
        value = mapping.get(key)
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            raise self.fail(f"'{key}' is required and must be a {kind.__name__}", link_id)
        return value

    def coding(self, raw: Any, link_id: str | None, what: str) -> Coding:
        if not isinstance(raw, Mapping):
            raise self.fail(f"{what} must be a coding object", link_id)
        system = self.require(raw, "system", str, link_id)
        code = self.require(raw, "code", str, link_id)
        if system == LOINC:
            part = code.startswith("L")
            if part and not _LOINC_PART_RE.match(code):
                raise self.fail(f"{what} {code!r} is not a LOINC answer/part code", link_id)
            if not part and not loinc_check_digit_ok(code):
                raise self.fail(f"{what} {code!r} fails the LOINC check digit", link_id)
        return Coding(system, code, str(raw.get("display") or ""))

    def translations(self, raw: Any, key: str, link_id: str | None) -> dict[str, str]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            raise self.fail("'translations' must map a language to its text", link_id)
        out: dict[str, str] = {}
        for lang, value in raw.items():
            if lang not in LANGUAGES:
                raise self.fail(f"unsupported language {lang!r}", link_id)
            text = value.get(key) if isinstance(value, Mapping) else None
            if isinstance(text, str) and text.strip():
                out[lang] = text
        return out

    def instrument(self) -> Instrument:
        data, meta = self.data, self.meta
        if data.get("resourceType") != "Questionnaire":
            raise self.fail("resourceType must be 'Questionnaire'")
        instrument_id = self.require(data, "id", str)
        if instrument_id != self.path.stem:
            raise self.fail(f"id {instrument_id!r} must match the file name {self.path.stem!r}")
        if not _ID_RE.match(instrument_id):
            raise self.fail("id must be lower-case letters, digits and hyphens")
        version = self.require(data, "version", str)
        if not _VERSION_RE.match(version):
            raise self.fail(f"version {version!r} must look like 1.2.3")
        if not isinstance(data.get("carenav"), Mapping):
            raise self.fail("the 'carenav' block (scoring, source, license) is required")
        languages = tuple(meta.get("languages") or ("en",))
        if "en" not in languages or any(lang not in LANGUAGES for lang in languages):
            raise self.fail(f"languages must include 'en' and be among {LANGUAGES}")
        codes = data.get("code") or []
        instrument = Instrument(
            id=instrument_id,
            url=self.require(data, "url", str),
            version=version,
            name=self.require(data, "name", str),
            title=self.require(data, "title", str),
            short_name=self.require(meta, "shortName", str),
            status=self.require(data, "status", str),
            description=str(data.get("description") or ""),
            copyright=str(data.get("copyright") or ""),
            publisher=str(data.get("publisher") or ""),
            source=self.require(meta, "source", str),
            license=self.require(meta, "license", str),
            domain=self.require(meta, "domain", str),
            path=self.path,
            code=self.coding(codes[0], None, "instrument code") if codes else None,
            languages=languages,
            title_translations=self.translations(meta.get("translations"), "title", None),
            description_translations=self.translations(meta.get("translations"), "description", None),
            choices=tuple(meta.get("choices") or ()),
            sdoh=bool(meta.get("sdoh", False)),
            components=tuple(meta.get("components") or ()),
        )
        raw_items = data.get("item")
        if not isinstance(raw_items, list) or not raw_items:
            raise self.fail("'item' must be a non-empty list")
        instrument.items = [self.item(raw, instrument_id) for raw in raw_items]
        instrument.scores = tuple(self.score(raw) for raw in meta.get("scores") or ())
        instrument.domains = tuple(
            DomainDef(
                self.require(raw, "id", str),
                self.require(raw, "label", str),
                self.require(raw, "when", Mapping),
            )
            for raw in meta.get("domains") or ()
        )
        instrument.flags = tuple(self.flag(raw) for raw in meta.get("flags") or ())
        instrument.findings = tuple(self.finding(raw) for raw in meta.get("findings") or ())
        instrument.notes = tuple(
            NoteDef(self.require(raw, "when", Mapping), self.require(raw, "text", str))
            for raw in meta.get("notes") or ()
        )
        return instrument

    def item(self, raw: Any, instrument_id: str) -> Item:
        if not isinstance(raw, Mapping):
            raise self.fail("every item must be an object")
        link_id = self.require(raw, "linkId", str)
        item_type = raw.get("type")
        if item_type not in ITEM_TYPES:
            raise self.fail(f"unknown item type {item_type!r}", link_id)
        meta = raw.get("carenav") or {}
        item = Item(
            link_id=link_id,
            type=item_type,
            text=self.require(raw, "text", str, link_id),
            instrument_id=instrument_id,
            translations=self.translations(raw.get("translations"), "text", link_id),
            codes=tuple(self.coding(c, link_id, "item code") for c in raw.get("code") or ()),
            required=bool(raw.get("required", False)),
            repeats=bool(raw.get("repeats", False)),
            enable_behavior=str(raw.get("enableBehavior") or "all"),
            domain=str(meta.get("domain") or ""),
            context=str(meta.get("context") or ""),
            help_text=str(raw.get("helpText") or ""),
            help_translations=self.translations(raw.get("translations"), "helpText", link_id),
            includes=tuple(meta.get("include") or ()),
        )
        if item.enable_behavior not in ("all", "any"):
            raise self.fail("enableBehavior must be 'all' or 'any'", link_id)
        if item.type == "choice":
            item.options = self.options(raw, link_id)
        elif raw.get("answerOption") or raw.get("answerOptionSet"):
            raise self.fail(f"answer options are only allowed on choice items, not {item.type}", link_id)
        if item.repeats and item.type != "choice":
            raise self.fail("only choice items may repeat", link_id)
        item.enable_when = tuple(self.enable_when(ew, link_id) for ew in raw.get("enableWhen") or ())
        children = raw.get("item") or []
        if children and item.type != "group":
            raise self.fail("only group items may contain items", link_id)
        item.items = [self.item(child, instrument_id) for child in children]
        if item.includes and item.type != "group":
            raise self.fail("only group items may include instruments", link_id)
        if item.type == "group" and not (item.items or item.includes):
            raise self.fail("a group needs at least one item", link_id)
        return item

    def options(self, raw: Mapping[str, Any], link_id: str) -> tuple[AnswerOption, ...]:
        if "answerOptionSet" in raw:
            set_name = raw["answerOptionSet"]
            if set_name not in self.option_sets:
                raise self.fail(f"answerOptionSet {set_name!r} is not defined in carenav.optionSets", link_id)
            raw_options = self.option_sets[set_name]
        else:
            raw_options = raw.get("answerOption")
        if not isinstance(raw_options, list) or not raw_options:
            raise self.fail("a choice item needs answerOption or answerOptionSet", link_id)
        options = []
        for raw_option in raw_options:
            coding = self.coding(raw_option.get("valueCoding"), link_id, "answer option")
            if not coding.display:
                raise self.fail(f"answer option {coding.code!r} needs a display", link_id)
            score = raw_option.get("score")
            if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
                raise self.fail(f"answer option {coding.code!r} has a non-numeric score", link_id)
            options.append(
                AnswerOption(
                    coding=coding,
                    score=score,
                    exclusive=bool(raw_option.get("exclusive", False)),
                    translations=self.translations(raw_option.get("translations"), "display", link_id),
                )
            )
        codes = [o.coding.code for o in options]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise self.fail(f"duplicate answer option codes {duplicates}", link_id)
        return tuple(options)

    def enable_when(self, raw: Any, link_id: str) -> EnableWhen:
        if not isinstance(raw, Mapping):
            raise self.fail("enableWhen entries must be objects", link_id)
        operator = raw.get("operator")
        if operator not in OPERATORS:
            raise self.fail(f"enableWhen operator {operator!r} is not one of {sorted(OPERATORS)}", link_id)
        answer_keys = [k for k in raw if k.startswith("answer")]
        if len(answer_keys) != 1:
            raise self.fail("enableWhen needs exactly one answer[x]", link_id)
        key = answer_keys[0]
        answer = raw[key]
        if key == "answerCoding":
            if not isinstance(answer, Mapping) or not answer.get("code"):
                raise self.fail("enableWhen answerCoding needs a code", link_id)
            answer = str(answer["code"])
        elif key not in ("answerBoolean", "answerInteger", "answerDecimal", "answerString", "answerDate"):
            raise self.fail(f"enableWhen {key} is not supported", link_id)
        return EnableWhen(self.require(raw, "question", str, link_id), operator, answer)

    def score(self, raw: Mapping[str, Any]) -> ScoreDef:
        score_id = self.require(raw, "id", str)
        method = raw.get("method")
        if method not in SCORE_METHODS:
            raise self.fail(f"score {score_id!r}: method {method!r} is not one of {sorted(SCORE_METHODS)}")
        bands = tuple(
            Band(
                float(self.require(b, "min", int | float)),
                float(self.require(b, "max", int | float)),
                self.require(b, "code", str),
                self.require(b, "label", str),
            )
            for b in raw.get("bands") or ()
        )
        positive = raw.get("positive") or {}
        return ScoreDef(
            id=score_id,
            label=self.require(raw, "label", str),
            method=method,
            code=self.coding(raw["code"], None, f"score {score_id!r} code") if raw.get("code") else None,
            items=tuple(raw.get("items") or ()),
            conditions=tuple(raw.get("conditions") or ()),
            when=raw.get("when"),
            value_true=self.coding(raw["valueTrue"], None, "valueTrue") if raw.get("valueTrue") else None,
            value_false=self.coding(raw["valueFalse"], None, "valueFalse") if raw.get("valueFalse") else None,
            min=raw.get("min"),
            max=raw.get("max"),
            bands=bands,
            positive_min=positive.get("min"),
            positive_min_by_sex=dict(positive.get("minBySex") or {}),
            positive_note=str(positive.get("note") or ""),
        )

    def flag(self, raw: Mapping[str, Any]) -> FlagDef:
        flag_id = self.require(raw, "id", str)
        severity = raw.get("severity")
        if severity not in FLAG_SEVERITIES:
            raise self.fail(f"flag {flag_id!r}: severity must be one of {FLAG_SEVERITIES}")
        return FlagDef(
            flag_id,
            severity,
            self.require(raw, "label", str),
            self.require(raw, "action", str),
            self.require(raw, "when", Mapping),
        )

    def finding(self, raw: Mapping[str, Any]) -> FindingRule:
        kind = raw.get("kind")
        domain = self.require(raw, "domain", str)
        if kind not in FINDING_KINDS:
            raise self.fail(f"finding {domain!r}: kind must be one of {FINDING_KINDS}")
        if domain_label(domain) == domain:
            raise self.fail(
                f"finding domain {domain!r} is neither a Gravity SDOH category nor a known domain"
            )
        severity = str(raw.get("severity") or "")
        by_band = raw.get("severityByBand") or {}
        if severity and severity not in FINDING_SEVERITIES:
            raise self.fail(f"finding {domain!r}: severity must be one of {FINDING_SEVERITIES}")
        if bool(severity) == bool(by_band):
            raise self.fail(f"finding {domain!r}: give exactly one of 'severity' or 'severityByBand'")
        band_map = dict(by_band.get("bands") or {}) if by_band else {}
        if any(v not in FINDING_SEVERITIES for v in band_map.values()):
            raise self.fail(f"finding {domain!r}: severityByBand values must be one of {FINDING_SEVERITIES}")
        return FindingRule(
            kind=kind,
            domain=domain,
            code=self.coding(raw.get("code"), None, f"finding {domain!r} code"),
            when=self.require(raw, "when", Mapping),
            label=self.require(raw, "label", str),
            severity=severity,
            severity_score=str(by_band.get("score") or "") if by_band else "",
            severity_by_band=band_map,
        )


# ------------------------------------------------------------------------------------------ validation


class _Checker:
    """Cross-reference checks: enableWhen targets, score items, conditions, bands."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.earlier_scores: set[str] = set()

    def fail(self, message: str, link_id: str | None = None) -> InstrumentDefinitionError:
        return InstrumentDefinitionError(self.instrument.path, message, link_id)

    def check(self) -> None:
        inst = self.instrument
        seen: dict[str, Item] = {}
        for item in inst.walk():
            if item.link_id in seen:
                raise self.fail("duplicate linkId", item.link_id)
            for ew in item.enable_when:
                self.check_enable_when(item, ew, seen)
            seen[item.link_id] = item
        for lang in inst.languages:
            if lang == "en":
                continue
            for item in inst.walk():
                if item.instrument_id == inst.id and item.type != "group" and lang not in item.translations:
                    raise self.fail(f"missing {lang!r} translation of the text", item.link_id)
                for option in item.options:
                    if item.instrument_id == inst.id and lang not in option.translations:
                        raise self.fail(
                            f"missing {lang!r} translation of option {option.coding.code!r}", item.link_id
                        )
        score_ids = [s.id for s in inst.scores]
        if len(set(score_ids)) != len(score_ids):
            raise self.fail("duplicate score ids")
        for index, score in enumerate(inst.scores):
            self.earlier_scores = {s.id for s in inst.scores[:index]}
            self.check_score(score)
        self.earlier_scores = set(score_ids)
        for domain in inst.domains:
            self.check_condition(domain.when, f"domain {domain.id!r}")
        for flag in inst.flags:
            self.check_condition(flag.when, f"flag {flag.id!r}")
        for note in inst.notes:
            self.check_condition(note.when, "note")
        for rule in inst.findings:
            self.check_condition(rule.when, f"finding {rule.domain!r}")
            if rule.severity_by_band:
                banded = inst.score(rule.severity_score)
                if banded is None:
                    raise self.fail(
                        f"finding {rule.domain!r}: severityByBand score {rule.severity_score!r} unknown"
                    )
                band_codes = {b.code for b in banded.bands}
                if set(rule.severity_by_band) != band_codes:
                    raise self.fail(
                        f"finding {rule.domain!r}: severityByBand must map exactly the bands {sorted(band_codes)}"
                    )

    def check_enable_when(self, item: Item, ew: EnableWhen, earlier: Mapping[str, Item]) -> None:
        target = earlier.get(ew.question)
        if target is None:
            raise self.fail(
                f"enableWhen refers to {ew.question!r}, which is not an earlier item", item.link_id
            )
        if not target.answerable:
            raise self.fail(f"enableWhen refers to {ew.question!r}, which takes no answer", item.link_id)
        if ew.operator == "exists":
            if not isinstance(ew.answer, bool):
                raise self.fail("enableWhen 'exists' needs answerBoolean", item.link_id)
            return
        if target.type == "choice":
            if ew.operator not in ("=", "!="):
                raise self.fail("choice questions only support '=' and '!=' in enableWhen", item.link_id)
            if target.option(ew.answer) is None:
                raise self.fail(
                    f"enableWhen answer {ew.answer!r} is not an option of {ew.question!r}", item.link_id
                )
        elif target.type == "boolean" and not isinstance(ew.answer, bool):
            raise self.fail("enableWhen on a boolean question needs answerBoolean", item.link_id)

    def check_score(self, score: ScoreDef) -> None:
        inst = self.instrument
        where = f"score {score.id!r}"
        if score.method == "sum":
            if not score.items:
                raise self.fail(f"{where}: a sum needs items")
            for link_id in score.items:
                item = inst.item(link_id)
                if item is None:
                    raise self.fail(f"{where}: unknown item", link_id)
                if item.type != "choice" or any(o.score is None for o in item.options):
                    raise self.fail(
                        f"{where}: summed items must be choices with a score on every option", link_id
                    )
        elif score.method == "count":
            if not score.conditions:
                raise self.fail(f"{where}: a count needs conditions")
            for condition in score.conditions:
                self.check_condition(condition, where)
        else:
            if score.when is None or score.value_true is None or score.value_false is None:
                raise self.fail(f"{where}: a rule needs when, valueTrue and valueFalse")
            self.check_condition(score.when, where)
        if score.method != "rule" and (score.min is None or score.max is None):
            raise self.fail(f"{where}: numeric scores need min and max")
        previous: Band | None = None
        for band in score.bands:
            if band.min > band.max or score.min is None or score.max is None:
                raise self.fail(f"{where}: band {band.code!r} has min above max")
            if band.min < score.min or band.max > score.max:
                raise self.fail(f"{where}: band {band.code!r} lies outside {score.min}-{score.max}")
            if previous is not None and band.min <= previous.max:
                raise self.fail(f"{where}: band {band.code!r} overlaps {previous.code!r}")
            previous = band

    def check_condition(self, condition: Any, where: str) -> None:
        inst = self.instrument
        if not isinstance(condition, Mapping) or not condition:
            raise self.fail(f"{where}: a condition must be a non-empty object")
        keys = set(condition) & CONDITION_KEYS
        if len(keys) != 1:
            raise self.fail(f"{where}: a condition needs exactly one of {sorted(CONDITION_KEYS)}")
        key = keys.pop()
        if key in ("any", "all"):
            parts = condition[key]
            if not isinstance(parts, list) or not parts:
                raise self.fail(f"{where}: '{key}' needs a non-empty list")
            for part in parts:
                self.check_condition(part, where)
        elif key == "not":
            self.check_condition(condition["not"], where)
        elif key == "item":
            link_id = condition["item"]
            item = inst.item(link_id)
            if item is None or not item.answerable:
                raise self.fail(f"{where}: condition on an unknown or unanswerable item", link_id)
            tests = set(condition) & {"in", "notIn", "equals", "minScore", "answered", "min"}
            if len(tests) != 1:
                raise self.fail(
                    f"{where}: an item condition needs one of in/notIn/equals/minScore/min/answered", link_id
                )
            test = tests.pop()
            if test == "min" and item.type not in ("integer", "decimal"):
                raise self.fail(f"{where}: 'min' is for number items", link_id)
            if test in ("in", "notIn"):
                for code in condition[test]:
                    if item.option(code) is None:
                        raise self.fail(f"{where}: {code!r} is not an option of the item", link_id)
            if test == "minScore" and any(o.score is None for o in item.options):
                raise self.fail(f"{where}: minScore needs scores on every option", link_id)
            if test == "equals" and item.type != "boolean":
                raise self.fail(f"{where}: 'equals' is for boolean items", link_id)
        elif key == "score":
            if condition["score"] not in self.earlier_scores:
                raise self.fail(f"{where}: score {condition['score']!r} is unknown or not computed before")
            if not set(condition) & {"min", "max", "positive", "is"}:
                raise self.fail(f"{where}: a score condition needs min, max, positive or is")
        elif key == "domain" and condition["domain"] not in {d.id for d in inst.domains}:
            raise self.fail(f"{where}: unknown domain {condition['domain']!r}")


# --------------------------------------------------------------------------------------------- loading


def _read(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InstrumentDefinitionError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(data, Mapping):
        raise InstrumentDefinitionError(path, "the file must hold one JSON object")
    return data


def _compose(composite: Instrument, registry: Mapping[str, Instrument]) -> None:
    """Append the items of each instrument a composite's section includes, as a sub-group."""
    included: list[str] = []
    for group in composite.items:
        if group.type != "group" or not group.domain:
            raise InstrumentDefinitionError(
                composite.path, "composite sections must be groups with a domain", group.link_id
            )
        for included_id in group.includes:
            part = registry.get(included_id)
            if part is None or part.is_composite:
                raise InstrumentDefinitionError(
                    composite.path,
                    f"includes {included_id!r}, which is not a loaded instrument",
                    group.link_id,
                )
            included.append(included_id)
            group.items.append(
                Item(
                    link_id=part.id,
                    type="group",
                    text=part.title,
                    instrument_id=part.id,
                    translations=dict(part.title_translations),
                    codes=(part.code,) if part.code else (),
                    items=part.items,
                    domain=part.domain,
                )
            )
    if sorted(included) != sorted(composite.components) or len(set(included)) != len(included):
        raise InstrumentDefinitionError(
            composite.path,
            f"carenav.components {sorted(composite.components)} must each be included exactly once",
        )


def load_registry(directories: Iterable[Path] = (INSTRUMENT_DIR,)) -> Registry:
    """Load and validate every ``*.json`` instrument in the directories; raise on the first error."""
    instruments: dict[str, Instrument] = {}
    owners: dict[str, Path] = {}
    for directory in directories:
        for path in sorted(Path(directory).glob("*.json")):
            instrument = _Parser(path, _read(path)).instrument()
            if instrument.id in instruments:
                raise InstrumentDefinitionError(path, f"instrument id {instrument.id!r} is already defined")
            instruments[instrument.id] = instrument
            if instrument.is_composite:
                continue
            for item in instrument.walk():
                if item.link_id in owners and owners[item.link_id] != path:
                    raise InstrumentDefinitionError(
                        path, f"linkId is already used by {owners[item.link_id].name}", item.link_id
                    )
                owners[item.link_id] = path
    for instrument in instruments.values():
        if instrument.is_composite:
            for group in instrument.items:
                for item in group.walk():
                    if item.link_id in owners:
                        raise InstrumentDefinitionError(
                            instrument.path,
                            f"linkId is already used by {owners[item.link_id].name}",
                            item.link_id,
                        )
            _compose(instrument, instruments)
    for instrument in instruments.values():
        _Checker(instrument).check()
    return Registry(instruments)


@functools.cache
def default_registry() -> Registry:
    """The instruments shipped with carenav, loaded once per process."""
    return load_registry()

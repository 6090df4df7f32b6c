"""Instrument files: the shipped set loads with the reference codes, and broken files fail loudly,
naming the file and the item."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from carenav.assessments import definitions
from carenav.assessments.codes import loinc_check_digit_ok
from carenav.assessments.definitions import INSTRUMENT_DIR, InstrumentDefinitionError, load_registry

ISSUE_INSTRUMENTS = {
    "phq-2",
    "phq-9",
    "gad-7",
    "audit-c",
    "katz-adl",
    "lawton-iadl",
    "ahc-hrsn",
    "hunger-vital-sign",
    "prapare",
    "steadi-falls",
    "caregiver-support",
    "medication-review",
    "advance-care-planning",
    "what-matters",
    "comprehensive-cm",
}


def item_codes(registry, instrument_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.codes[0].code for i in registry.get(instrument_id).walk() if i.answerable and i.codes]


def test_every_instrument_the_issue_names_is_shipped(registry) -> None:  # type: ignore[no-untyped-def]
    assert {i.id for i in registry} == ISSUE_INSTRUMENTS
    for instrument in registry:
        assert instrument.version and instrument.source and instrument.license, instrument.id


def test_codes_match_the_reference_tables(registry) -> None:  # type: ignore[no-untyped-def]
    assert item_codes(registry, "phq-9") == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
        "69722-7",
    ]
    assert item_codes(registry, "gad-7") == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]
    assert item_codes(registry, "audit-c") == ["68518-0", "68519-8", "68520-6"]
    assert item_codes(registry, "ahc-hrsn") == [
        "71802-3",
        "96778-6",
        "88122-7",
        "88123-5",
        "93030-5",
        "96779-4",
        "95618-5",
        "95617-7",
        "95616-9",
        "95615-1",
    ]
    assert item_codes(registry, "hunger-vital-sign") == ["88122-7", "88123-5"]
    panels = {i.id: i.code.code for i in registry if i.code}
    assert panels == {
        "phq-9": "44249-1",
        "phq-2": "55757-9",
        "gad-7": "69737-5",
        "audit-c": "72109-2",
        "ahc-hrsn": "96777-8",
        "hunger-vital-sign": "88121-9",
        "prapare": "93025-5",
    }
    totals = {i.id: i.scores[0].code.code for i in registry if i.scores and i.scores[0].code}
    assert totals["phq-9"] == "44261-6" and totals["phq-2"] == "55758-7" and totals["gad-7"] == "70274-6"
    assert (
        totals["audit-c"] == "75626-2"
        and totals["ahc-hrsn"] == "95614-4"
        and totals["hunger-vital-sign"] == "88124-3"
    )
    frequency = [o.coding.code for o in registry.get("phq-9").item("phq9-1").options]
    assert frequency == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    assert [o.score for o in registry.get("phq-9").item("phq9-1").options] == [0, 1, 2, 3]


def test_spanish_text_exists_for_the_three_instruments_the_issue_names(registry) -> None:  # type: ignore[no-untyped-def]
    for instrument_id in ("phq-9", "gad-7", "ahc-hrsn"):
        instrument = registry.get(instrument_id)
        assert "es" in instrument.languages
        assert all(i.text_in("es") != i.text for i in instrument.walk() if i.answerable), instrument_id
    assert registry.get("phq-9").item("phq9-1").text_in("es") == "Poco interés o placer en hacer cosas"


def test_loinc_check_digit() -> None:
    assert all(loinc_check_digit_ok(c) for c in ("44249-1", "44261-6", "69725-0", "95614-4", "88124-3"))
    assert not loinc_check_digit_ok("44261-5") and not loinc_check_digit_ok("abc")


def test_composite_groups_components_by_domain(registry) -> None:  # type: ignore[no-untyped-def]
    composite = registry.get("comprehensive-cm")
    assert [g.domain for g in composite.items] == [
        "medical-history",
        "functional",
        "mental-health",
        "social-needs",
        "support-system",
        "medications",
        "priorities",
    ]
    functional = composite.items[1]
    assert [g.link_id for g in functional.items] == ["katz-adl", "lawton-iadl", "steadi-falls"]
    assert composite.item("phq9-9") is registry.get("phq-9").item("phq9-9")


# ----------------------------------------------------------------------------------------- broken files


def copy_of(tmp_path: Path, name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> Path:
    data = json.loads((INSTRUMENT_DIR / f"{name}.json").read_text())
    if edit:
        edit(data)
    target = tmp_path / f"{name}.json"
    target.write_text(json.dumps(data))
    return target


def broken(tmp_path: Path, edit: Callable[[dict[str, Any]], None], name: str = "phq-2") -> str:
    copy_of(tmp_path, name, edit)
    with pytest.raises(InstrumentDefinitionError) as caught:
        load_registry([tmp_path])
    return str(caught.value)


def item(data: dict[str, Any], link_id: str) -> dict[str, Any]:
    return next(i for i in data["item"] if i["linkId"] == link_id)


def test_invalid_json_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "phq-2.json").write_text('{"resourceType": "Questionnaire",\n  "id": }')
    with pytest.raises(InstrumentDefinitionError, match=r"phq-2\.json: invalid JSON at line 2"):
        load_registry([tmp_path])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(id="phq-two"), "phq-2.json: id 'phq-two' must match the file name"),
        (lambda d: d.update(version="one"), "version 'one' must look like 1.2.3"),
        (lambda d: d.pop("carenav"), "the 'carenav' block"),
        (
            lambda d: item(d, "phq2-1").update(answerOptionSet="frequencies"),
            "(item 'phq2-1'): answerOptionSet 'frequencies'",
        ),
        (lambda d: item(d, "phq2-1").update(type="slider"), "(item 'phq2-1'): unknown item type 'slider'"),
        (
            lambda d: item(d, "phq2-2").update(code=[{"system": "http://loinc.org", "code": "44255-9"}]),
            "(item 'phq2-2'): item code '44255-9' fails the LOINC check digit",
        ),
        (
            lambda d: item(d, "phq2-1").update(
                enableWhen=[{"question": "phq2-2", "operator": "=", "answerCoding": {"code": "LA6568-5"}}]
            ),
            "(item 'phq2-1'): enableWhen refers to 'phq2-2', which is not an earlier item",
        ),
        (
            lambda d: item(d, "phq2-2").update(
                enableWhen=[{"question": "phq2-1", "operator": "=", "answerCoding": {"code": "LA0000-0"}}]
            ),
            "(item 'phq2-2'): enableWhen answer 'LA0000-0' is not an option of 'phq2-1'",
        ),
        (lambda d: item(d, "phq2-2").update(linkId="phq2-1"), "(item 'phq2-1'): duplicate linkId"),
        (
            lambda d: item(d, "phq2-2").pop("translations"),
            "(item 'phq2-2'): missing 'es' translation of the text",
        ),
        (
            lambda d: d["carenav"]["scores"][0]["items"].append("phq2-3"),
            "(item 'phq2-3'): score 'total': unknown item",
        ),
        (
            lambda d: d["carenav"]["scores"][0]["bands"][1].update(min=2),
            "band 'positive' overlaps 'negative'",
        ),
        (lambda d: d["carenav"]["scores"][0]["bands"][1].update(max=9), "band 'positive' lies outside 0-6"),
        (
            lambda d: d["carenav"]["findings"][0].update(domain="sadness"),
            "finding domain 'sadness' is neither",
        ),
        (
            lambda d: d["carenav"]["findings"][0].update(when={"item": "phq2-1", "in": ["LA1-1"]}),
            "(item 'phq2-1'): finding 'depression': 'LA1-1' is not an option of the item",
        ),
        (
            lambda d: d["carenav"]["findings"][0].update(when={"score": "sum", "min": 3}),
            "finding 'depression': score 'sum' is unknown",
        ),
    ],
)
def test_broken_definitions_name_the_file_and_item(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    error = broken(tmp_path, edit)
    assert error.startswith("phq-2.json")
    assert message in error


def test_summed_items_need_a_score_on_every_option(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["carenav"]["optionSets"]["frequency"][2]["score"]

    assert (
        "(item 'phq2-1'): score 'total': summed items must be choices with a score on every option"
        in broken(tmp_path, edit)
    )


def test_severity_by_band_must_cover_every_band(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["carenav"]["findings"][0]["severity"]
        data["carenav"]["findings"][0]["severityByBand"] = {
            "score": "total",
            "bands": {"positive": "moderate"},
        }

    assert "severityByBand must map exactly the bands ['negative', 'positive']" in broken(tmp_path, edit)


def test_a_linkid_used_by_two_files_names_both(tmp_path: Path) -> None:
    copy_of(tmp_path, "phq-2")
    copy_of(tmp_path, "phq-9", lambda d: item(d, "phq9-1").update(linkId="phq2-1"))
    with pytest.raises(
        InstrumentDefinitionError,
        match=r"phq-9\.json \(item 'phq2-1'\): linkId is already used by phq-2\.json",
    ):
        load_registry([tmp_path])


def test_composite_must_include_loaded_instruments(tmp_path: Path) -> None:
    for name in json.loads((INSTRUMENT_DIR / "comprehensive-cm.json").read_text())["carenav"]["components"]:
        shutil.copy(INSTRUMENT_DIR / f"{name}.json", tmp_path)
    copy_of(
        tmp_path, "comprehensive-cm", lambda d: item(d, "functional")["carenav"]["include"].append("tug-test")
    )
    with pytest.raises(
        InstrumentDefinitionError, match=r"comprehensive-cm\.json \(item 'functional'\): includes 'tug-test'"
    ):
        load_registry([tmp_path])


def test_start_up_stops_on_a_broken_definition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_of(tmp_path, "phq-2", lambda d: item(d, "phq2-1").update(answerOptionSet="nope"))
    monkeypatch.setattr(definitions, "default_registry", lambda: load_registry([tmp_path]))
    with pytest.raises(InstrumentDefinitionError, match=r"phq-2\.json \(item 'phq2-1'\)"):
        apps.get_app_config("assessments").ready()

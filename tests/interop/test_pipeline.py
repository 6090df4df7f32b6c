"""Pass one, per resource: outcomes of reading, validating and mapping (no database)."""

import marshal
from pathlib import Path

import pytest

from carenav.core.compression import suffix, writing
from carenav.interop import pipeline
from carenav.interop.readers import discover


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_compressed_ndjson_is_cut_into_tasks_with_line_numbers(
    tmp_path: Path, monkeypatch, codec: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pipeline, "LINES_PER_TASK", 2)
    path = tmp_path / f"Patient.ndjson{suffix(codec)}"
    with path.open("wb") as raw, writing(raw, codec) as handle:
        handle.write(
            b'{"resourceType": "Patient", "id": "a"}\n\n[broken\n'
            b'{"resourceType": "Patient", "id": "b", "gender": "fish"}\n'
            b'{"resourceType": "Immunization", "id": "i"}\n'
        )
    (file,) = discover([path])
    work = list(pipeline.tasks(file))
    assert [[n for n, _ in payload] for _, payload, _ in work] == [[1, 3], [4, 5]]
    assert work[-1][2] == path.stat().st_size
    outcomes = [o for _, payload, _ in work for o in pipeline.analyze_lines(payload, "UTC")]
    staged, broken, bad_code, immunization = outcomes
    assert staged[:3] == ("staged", "Patient", "line 1")
    table, sid, rtype, patient_ref, encounter_ref, _lu, _vid, blob = staged[3]
    assert (table, sid, rtype, patient_ref, encounter_ref) == ("patient", "a", "Patient", "Patient/a", None)
    row, children, _refs = marshal.loads(blob)
    assert row["sex"] == "unknown" and children == []
    assert broken[0] == "rejected" and "not valid JSON" in broken[4][0][1]
    assert bad_code == (
        "rejected",
        "line 4",
        "Patient",
        "b",
        [("Patient.gender", "'fish' is not an allowed code (female, male, other, unknown)")],
    )
    assert immunization[0] == "rejected"  # Immunization requires status, vaccineCode, patient, occurrence[x]
    assert {path for path, _ in immunization[4]} >= {"Immunization.status", "Immunization.occurrence[x]"}
    # a task hands back the staged rows gathered, ready for the staging table, and the rest as is
    first, second = (pipeline.run_task(kind, payload, "UTC", "P.ndjson") for kind, payload, _ in work)
    assert first == ({"Patient": 1}, [(*staged[3], "P.ndjson", "line 1")], [], [broken])
    assert second == ({}, [], [], [bad_code, immunization])


def test_patients_publish_aliases_for_fullurls_and_identifiers() -> None:
    from zoneinfo import ZoneInfo

    from carenav.interop.mapping import Mapper
    from carenav.interop.readers import Item

    item = Item(
        "entry 0",
        {"resourceType": "Patient", "identifier": [{"system": "http://x", "value": "7"}]},
        full_url="urn:uuid:p1",
        index={"urn:uuid:p1": "Patient/p1"},
    )
    outcome = pipeline.analyze(item, Mapper(ZoneInfo("UTC")))
    assert outcome[0] == "staged" and outcome[3][1] == "p1"
    assert outcome[4] == [
        ("urn:uuid:p1", "Patient/p1"),
        ("Patient?identifier=http://x|7", "Patient/p1"),
        ("Patient?identifier=7", "Patient/p1"),
    ]

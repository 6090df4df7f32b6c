"""Finding inputs and streaming their resources."""

import json
from pathlib import Path

import pytest

from carenav.core.compression import suffix, writing
from carenav.interop.readers import discover, read_json


def test_discover_orders_patients_first_and_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in (
        "Condition.000.ndjson",
        "Patient.001.ndjson.gz",
        "Encounter.ndjson.zst",
        "README.md",
        ".hidden.ndjson",
    ):
        (tmp_path / name).write_text("")
    (tmp_path / "sub" / "bundle.json").write_text("{}")
    names = [f.path.name for f in discover([tmp_path])]
    assert names == ["Patient.001.ndjson.gz", "Encounter.ndjson.zst", "Condition.000.ndjson", "bundle.json"]


@pytest.mark.parametrize("codec", [None, "gzip", "zstd"])
def test_bundle_entries_carry_the_fullurl_index(tmp_path: Path, codec: str | None) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:p1",
                "resource": {"resourceType": "Patient"},
                "request": {"method": "POST", "url": "Patient"},
            },
            {"request": {"method": "DELETE", "url": "Patient/9"}},
        ],
    }
    path = tmp_path / f"b.json{suffix(codec)}"
    with path.open("wb") as raw, writing(raw, codec) as handle:
        handle.write(json.dumps(bundle).encode())
    (file,) = discover([path])
    first, deleted = list(read_json(file))
    assert first.index == {"urn:uuid:p1": "Patient/p1"} and first.location == "entry 0"
    assert deleted.error == "DELETE entries are not applied by the importer"


def test_a_bundle_with_an_unknown_type_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "pile", "entry": []}))
    (item,) = list(read_json(discover([path])[0]))
    assert (item.error_path, item.error) == ("Bundle.type", "'pile' is not a Bundle type")


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "Patient.ndjson").write_text("")
    assert len(discover([tmp_path, tmp_path / "Patient.ndjson"])) == 1


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_a_damaged_compressed_bundle_is_one_error(tmp_path: Path, codec: str) -> None:
    path = tmp_path / f"b.json{suffix(codec)}"
    with path.open("wb") as raw, writing(raw, codec) as handle:
        handle.write(json.dumps({"resourceType": "Bundle", "type": "batch", "entry": []}).encode() * 50)
    path.write_bytes(path.read_bytes()[:-12])  # cut off the end of the stream
    (item,) = list(read_json(discover([path])[0]))
    assert (
        item.location == "file" and item.error is not None and item.error.startswith("cannot be decompressed")
    )

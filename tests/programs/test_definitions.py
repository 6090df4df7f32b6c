"""The program files load, carry what the issue asks for, and broken files fail loudly."""

import json
from pathlib import Path

import pytest

from carenav.programs.definitions import (
    DEFINITIONS_DIR,
    DefinitionError,
    caseload_weights,
    load_programs,
    read_program,
)


def test_all_six_programs_in_display_order() -> None:
    assert list(load_programs()) == ["CCM", "PCM", "CCM_COMPLEX", "TCM", "BHI", "LTSS"]


def test_ccm_consent_names_the_four_cms_elements() -> None:
    consent = load_programs()["CCM"].consent
    assert consent.required and consent.methods == ("verbal", "written")
    text = " ".join(consent.elements).lower()
    for element in ("available", "cost-sharing", "one practitioner", "stop at any time"):
        assert element in text
    assert consent.text_version == "CCM-2026.11"


def test_consent_and_discipline_requirements() -> None:
    programs = load_programs()
    assert not programs["TCM"].consent.required
    assert programs["BHI"].discipline_required and set(programs["BHI"].disciplines) == {"LCSW", "BH"}
    assert not programs["CCM"].discipline_required
    assert all(p.max_attempts >= 1 for p in programs.values())
    assert programs["CCM"].stop_effective == "end_of_month"


def test_caseload_weights_are_data() -> None:
    weights = caseload_weights()
    assert [weights.weight(t) for t in (1, 2, 3, 4, None, 7)] == [3, 2, 1, 0.5, 1, 1]


def _write(tmp_path: Path, code: str, **changes: object) -> Path:
    doc = json.loads((DEFINITIONS_DIR / "CCM.json").read_text())
    doc.update(changes)
    path = tmp_path / f"{code}.json"
    path.write_text(json.dumps(doc))
    return path


def test_broken_program_files_fail_with_the_file_and_field(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="file name must be the program code"):
        read_program(_write(tmp_path, "OTHER"))
    with pytest.raises(DefinitionError, match="eligibility: unknown rule type"):
        read_program(_write(tmp_path, "CCM", eligibility={"type": "magic"}))
    with pytest.raises(DefinitionError, match="consent methods"):
        read_program(
            _write(
                tmp_path,
                "CCM",
                consent={
                    "required": True,
                    "methods": ["telepathy"],
                    "text_version": "x",
                    "elements": [],
                    "script": "s",
                },
            )
        )
    broken = _write(tmp_path, "CCM")
    doc = json.loads(broken.read_text())
    del doc["outreach"]
    broken.write_text(json.dumps(doc))
    with pytest.raises(DefinitionError, match="missing 'outreach'"):
        read_program(broken)

"""`carenav instruments`: lists the shipped instruments and checks draft definition files."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carenav.assessments.definitions import INSTRUMENT_DIR


def test_lists_every_instrument() -> None:
    out = StringIO()
    call_command("instruments", stdout=out)
    text = out.getvalue()
    assert "phq-9" in text and "en/es" in text and "15 instruments valid." in text


def test_check_reports_a_broken_draft_with_file_and_item(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((INSTRUMENT_DIR / "phq-2.json").read_text())
    data["id"] = "phq-2-draft"
    for item in data["item"]:
        item["linkId"] = item["linkId"].replace("phq2", "draft")
    data["carenav"]["scores"][0]["items"] = ["draft-1", "draft-2"]
    data["carenav"]["findings"][0]["when"] = {"score": "total", "min": 3}
    data["item"][1]["answerOptionSet"] = "nope"
    (tmp_path / "phq-2-draft.json").write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"phq-2-draft\.json \(item 'draft-2'\): answerOptionSet 'nope'"):
        call_command("instruments", check=tmp_path)
    data["item"][1]["answerOptionSet"] = "frequency"
    (tmp_path / "phq-2-draft.json").write_text(json.dumps(data))
    out = StringIO()
    call_command("instruments", check=tmp_path, stdout=out)
    assert "16 instruments valid." in out.getvalue()

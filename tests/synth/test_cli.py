"""`carenav synth`: arguments, output, summary, and the Django-free boundary."""

import subprocess
import sys
from pathlib import Path

import pytest

from carenav.cli import main as carenav_main
from carenav.synth.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_writes_an_export_and_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "export"
    rc = main(
        ["--patients", "40", "--seed", "3", "--out", str(out), "--as-of", "2026-11-24", "--workers", "1"]
    )
    assert rc == 0
    assert (out / "Patient.000.ndjson").read_bytes().count(b"\n") == 40
    captured = capsys.readouterr()
    assert "Patient" in captured.out and "Claim" in captured.out and "Per patient" in captured.out
    assert "patients/s" in captured.err


def test_quiet_prints_nothing_and_gzip_compresses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["--patients", "10", "--out", str(tmp_path), "--as-of", "2026-11-24", "--compress", "gzip", "--quiet"]
    )
    assert rc == 0
    assert capsys.readouterr() == ("", "")
    assert (tmp_path / "Patient.000.ndjson.gz").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--patients", "0", "--out", "x"],
        ["--patients", "5"],
        ["--patients", "5", "--out", "x", "--as-of", "24/11/2026"],
        ["--patients", "5", "--out", "x", "--workers", "0"],
    ],
)
def test_rejects_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_carenav_dispatches_synth(tmp_path: Path) -> None:
    rc = carenav_main(
        ["synth", "--patients", "5", "--out", str(tmp_path), "--as-of", "2026-11-24", "--quiet"]
    )
    assert rc == 0
    assert (tmp_path / "Patient.000.ndjson").read_bytes().count(b"\n") == 5


def test_synth_never_imports_django(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from carenav.synth.cli import main\n"
        f"main(['--patients', '20', '--out', {str(tmp_path)!r}, '--as-of', '2026-11-24', '--workers', '2'])\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Patient.000.ndjson").exists()

"""Inputs for the importer tests: slices of real Synthea output, clinosim, carebundle and carenav synth."""

import datetime as dt
import gzip
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SYNTHEA = REPO / ".." / "shared" / "data" / "synthea-bulk-10"
CLINOSIM = Path(__file__).parent / "data" / "clinosim"
BIN = Path(sys.executable).parent


def read_ndjson(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_ndjson(path: Path, resources: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources))
    return path


def subject_of(resource: dict[str, Any]) -> str | None:
    for element in ("subject", "patient", "beneficiary"):
        reference = (resource.get(element) or {}).get("reference", "")
        if reference.startswith("Patient/"):
            return reference[8:]
    return None


def counts_by_type(directory: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in directory.iterdir():
        if ".ndjson" in path.name:
            counts.update(r["resourceType"] for r in read_ndjson(path))
    return counts


@pytest.fixture(scope="session")
def synthea_dir() -> Path:
    if not SYNTHEA.is_dir():
        pytest.skip(f"{SYNTHEA} is not present")
    return SYNTHEA


@pytest.fixture(scope="session")
def carebundle_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Four patients from carebundle, as transaction Bundles and as bulk NDJSON (same ids)."""
    out = tmp_path_factory.mktemp("carebundle")
    args = [str(BIN / "carebundle"), "generate", "--profile", "mixed", "--count", "4", "--seed", "7"]
    subprocess.run([*args, "--sex", "mixed", "--out", str(out / "bundles")], check=True, capture_output=True)
    subprocess.run(
        [*args, "--sex", "mixed", "--format", "ndjson", "--out", str(out / "ndjson")],
        check=True,
        capture_output=True,
    )
    return out / "bundles", out / "ndjson"


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from carenav.synth.generate import generate

    out = tmp_path_factory.mktemp("synth")
    generate(out, patients=25, seed=5, as_of=dt.date(2026, 11, 1), workers=1)
    return out


@pytest.fixture
def clinosim_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "clinosim"
    shutil.copytree(CLINOSIM, copy)
    return copy

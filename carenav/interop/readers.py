"""Find FHIR inputs under the given paths and stream their resources.

Bulk exports (`<ResourceType>[.N].ndjson[.gz|.zst]`) are read line by line; a Bundle file is loaded whole
(one bundle is one document). Files are ordered Patient first so most references resolve as they
are read; the importer does not depend on that order.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from carenav.core.compression import CODECS, DECOMPRESSION_ERRORS, reading
from carenav.interop.mapping import MappingError, resource_id

TYPE_ORDER = {"Patient": 0, "RelatedPerson": 1, "Encounter": 2, "Condition": 3}
BUNDLE_TYPES = {
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
SUFFIXES = tuple(kind + codec for kind in (".ndjson", ".json") for codec in ("", *CODECS))


@dataclass(slots=True)
class InputFile:
    path: Path
    kind: str  # "ndjson" | "json"
    type_hint: str
    size: int


@dataclass(slots=True)
class Item:
    """One resource (or an unreadable line) and where it came from."""

    location: str
    resource: Any
    error: str | None = None
    full_url: str | None = None
    request_method: str | None = None
    request_url: str | None = None
    index: dict[str, str] | None = None  # a bundle's fullUrl → Type/id
    error_path: str = ""


def discover(paths: list[Path]) -> list[InputFile]:
    files: list[InputFile] = []
    seen: set[Path] = set()  # a file named directly and inside a named directory is read once
    for root in paths:
        root = Path(root)
        if not root.exists():
            raise FileNotFoundError(f"{root} does not exist")
        candidates = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in candidates:
            name = path.name
            if not path.is_file() or name.startswith(".") or not name.endswith(SUFFIXES):
                continue
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            kind = "ndjson" if ".ndjson" in name else "json"
            files.append(InputFile(path, kind, name.split(".")[0], path.stat().st_size))
    files.sort(key=lambda f: (f.kind != "ndjson", TYPE_ORDER.get(f.type_hint, 9), str(f.path)))
    return files


def open_input(path: Path) -> tuple[io.BufferedReader, Any]:
    """(raw file, decompressed stream): the raw file's position measures progress."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    return raw, reading(raw, path.name)


def read_json(file: InputFile) -> Iterator[Item]:
    """The entries of a Bundle, or the single resource a .json file holds."""
    raw, stream = open_input(file.path)
    with raw, stream:
        try:
            document = orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            yield Item("file", None, f"not valid JSON: {exc}")
            return
        except DECOMPRESSION_ERRORS as exc:
            yield Item("file", None, f"cannot be decompressed: {exc}")
            return
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        yield Item("resource", document)
        return
    if document.get("type") not in BUNDLE_TYPES:
        yield Item("file", None, f"{document.get('type')!r} is not a Bundle type", error_path="Bundle.type")
        return
    entries = document.get("entry")
    if not isinstance(entries, list):
        if entries is not None:
            yield Item("file", None, "must be an array", error_path="Bundle.entry")
        return
    index: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        resource, full_url = entry.get("resource"), entry.get("fullUrl")
        if isinstance(resource, dict) and isinstance(full_url, str) and "resourceType" in resource:
            request: dict[str, Any] = entry["request"] if isinstance(entry.get("request"), dict) else {}
            try:
                rid = resource_id(resource, full_url, request.get("url"))
            except MappingError:
                continue
            index[full_url] = f"{resource['resourceType']}/{rid}"
    for number, entry in enumerate(entries):
        location = f"entry {number}"
        if not isinstance(entry, dict):
            yield Item(location, None, "must be an object", error_path=f"Bundle.entry[{number}]")
            continue
        request = entry["request"] if isinstance(entry.get("request"), dict) else {}
        if "resource" not in entry:
            if request.get("method") == "DELETE":
                yield Item(
                    location,
                    None,
                    "DELETE entries are not applied by the importer",
                    error_path=f"Bundle.entry[{number}].request",
                )
            continue
        yield Item(
            location,
            entry["resource"],
            full_url=entry.get("fullUrl"),
            request_method=request.get("method"),
            request_url=request.get("url"),
            index=index,
        )

"""Pass one of an import, per resource and Django-free, so worker processes can run it in parallel.

`analyze` turns one read item into an outcome tuple (cheap to pickle back to the parent):

    ("staged", rtype, stage_row, aliases)      valid and mapped; stage_row goes to the staging table
    ("rejected", location, rtype, id, errors)  errors: [(FHIR path, reason)]
    ("warning", location, rtype, id, path, reason)
    ("skipped", rtype)                         valid, but a type carenav does not store
"""

import marshal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from carenav.core.compression import DECOMPRESSION_ERRORS
from carenav.interop.mapping import Mapper, MappingError, resource_id
from carenav.interop.readers import InputFile, Item, open_input, read_json
from carenav.interop.validation import resource_errors

Outcome = tuple[Any, ...]
Task = tuple[dict[str, int], list[tuple[Any, ...]], list[tuple[str, str]], list[Outcome]]
LINES_PER_TASK = 1000

_mappers: dict[str, Mapper] = {}


def _mapper(tz: str) -> Mapper:
    if tz not in _mappers:
        _mappers[tz] = Mapper(ZoneInfo(tz))
    return _mappers[tz]


def analyze(item: Item, mapper: Mapper) -> Outcome:
    resource = item.resource
    if item.error is not None:
        if "DELETE" in item.error:
            return ("warning", item.location, "", "", item.error_path, item.error)
        return ("rejected", item.location, "", "", [(item.error_path, item.error)])
    if item.location == "resource" and isinstance(resource, dict) and "resourceType" not in resource:
        return (
            "warning",
            item.location,
            "",
            "",
            "",
            "not a FHIR resource or Bundle (no resourceType); skipped",
        )
    rtype = resource.get("resourceType") if isinstance(resource, dict) else None
    rtype = rtype if isinstance(rtype, str) else ""
    rid = str(resource.get("id", "")) if isinstance(resource, dict) else ""
    errors = resource_errors(resource)
    if errors:
        return ("rejected", item.location, rtype, rid, errors)
    if rtype not in mapper.by_type:
        return ("skipped", rtype)
    try:
        sid = resource_id(resource, item.full_url, item.request_url)
        mapped = mapper.map(resource, sid, item.index)
    except MappingError as exc:
        return ("rejected", item.location, rtype, rid, [(exc.path, exc.reason)])
    except (ValueError, TypeError) as exc:
        return ("rejected", item.location, rtype, rid, [(rtype, f"cannot be read: {exc}")])
    assert mapped is not None
    meta = resource.get("meta") or {}
    last_updated = mapper.times.datetime(meta.get("lastUpdated"))
    version = meta.get("versionId")
    vid = int(version) if isinstance(version, str) and version.isdigit() else None
    blob = marshal.dumps((mapped.row, mapped.children, mapped.condition_refs))
    row = (mapped.table, mapped.sid, rtype, mapped.patient_ref, mapped.encounter_ref, last_updated, vid, blob)
    aliases: list[tuple[str, str]] = []
    if rtype in ("Patient", "Encounter"):
        canon = f"{rtype}/{sid}"
        if item.full_url and item.full_url != canon:
            aliases.append((item.full_url, canon))
        if rtype == "Patient":
            for kind, child in mapped.children:
                if kind == "identifier":
                    aliases.append((f"Patient?identifier={child['system']}|{child['value']}", canon))
                    aliases.append((f"Patient?identifier={child['value']}", canon))
    return ("staged", rtype, item.location, row, aliases)


def analyze_lines(lines: list[tuple[int, bytes]], tz: str) -> list[Outcome]:
    mapper = _mapper(tz)
    outcomes = []
    for number, line in lines:
        try:
            item = Item(f"line {number}", orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            item = Item(f"line {number}", None, f"not valid JSON: {exc}")
        outcomes.append(analyze(item, mapper))
    return outcomes


def analyze_bundle(path: str, tz: str) -> list[Outcome]:
    mapper = _mapper(tz)
    file = InputFile(Path(path), "json", "", 0)
    return [analyze(item, mapper) for item in read_json(file)]


def tasks(file: InputFile) -> Iterator[tuple[str, Any, int]]:
    """(kind, payload, compressed bytes read so far) work units of one file, streamed."""
    if file.kind == "json":
        yield "bundle", str(file.path), file.size
        return
    raw, stream = open_input(file.path)
    with raw, stream:
        batch: list[tuple[int, bytes]] = []
        number = 0
        try:
            for number, line in enumerate(stream, 1):
                if line.strip():
                    batch.append((number, line))
                if len(batch) >= LINES_PER_TASK:
                    yield "lines", batch, raw.tell()
                    batch = []
        except DECOMPRESSION_ERRORS as exc:
            # The lines read so far are imported; the report says where the file breaks off.
            if batch:
                yield "lines", batch, raw.tell()
            yield "damaged", (f"after line {number}", f"cannot be decompressed: {exc}"), file.size
            return
        if batch:
            yield "lines", batch, raw.tell()


def run_task(kind: str, payload: Any, tz: str, file: str) -> Task:
    """A task's outcomes, with the staged rows (the bulk) gathered here in the worker, so the
    importing process only appends them: (staged per type, stage rows, aliases, other outcomes)."""
    if kind == "lines":
        outcomes = analyze_lines(payload, tz)
    elif kind == "bundle":
        outcomes = analyze_bundle(payload, tz)
    else:  # "damaged": (location, reason) of a file that breaks off
        outcomes = [analyze(Item(payload[0], None, payload[1]), _mapper(tz))]
    staged: Counter[str] = Counter()
    rows: list[tuple[Any, ...]] = []
    aliases: list[tuple[str, str]] = []
    others: list[Outcome] = []
    for outcome in outcomes:
        if outcome[0] == "staged":
            _, rtype, location, row, found = outcome
            staged[rtype] += 1
            rows.append((*row, file, location))
            aliases.extend(found)
        else:
            others.append(outcome)
    return dict(staged), rows, aliases, others

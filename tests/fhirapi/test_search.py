"""Search grammar: date prefixes and precision, tokens, paging limits, strict rejection of the unsupported."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from carenav.fhirapi.search import DEFAULT_COUNT, MAX_COUNT, SearchError, _date_range, parse

NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("value", "op", "start", "end"),
    [
        ("2024", "eq", dt.datetime(2024, 1, 1, tzinfo=NY), dt.datetime(2025, 1, 1, tzinfo=NY)),
        ("ge2024-12", "ge", dt.datetime(2024, 12, 1, tzinfo=NY), dt.datetime(2025, 1, 1, tzinfo=NY)),
        ("le2024-02-29", "le", dt.datetime(2024, 2, 29, tzinfo=NY), dt.datetime(2024, 3, 1, tzinfo=NY)),
        (
            "gt2024-05-01T10:00:00Z",
            "gt",
            dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC),
            dt.datetime(2024, 5, 1, 10, 0, 1, tzinfo=dt.UTC),
        ),
    ],
)
def test_date_values_denote_half_open_ranges(
    value: str, op: str, start: dt.datetime, end: dt.datetime
) -> None:
    got_op, got_start, got_end = _date_range("date", value)
    assert (got_op, got_start, got_end) == (op, start, end)


@pytest.mark.parametrize("value", ["ne2024", "sa2024-01-01", "2024-13-01", "yesterday", "2024-1-1"])
def test_bad_dates_name_the_parameter(value: str) -> None:
    with pytest.raises(SearchError) as raised:
        _date_range("birthdate", value)
    assert raised.value.param == "birthdate" and "birthdate" in raised.value.message


def test_paging_defaults_and_limits() -> None:
    assert parse("Patient", []).count == DEFAULT_COUNT == 50
    query = parse("Patient", [("_count", "1000"), ("_offset", "40")])
    assert (query.count, query.offset) == (MAX_COUNT, 40)
    assert parse("Patient", [("_count", "0"), ("_totalMethod", "count")]).count == 0
    with pytest.raises(SearchError):
        parse("Patient", [("_count", "-1")])
    with pytest.raises(SearchError):
        parse("Patient", [("_format", "xml")])


def test_repeats_and_and_commas_or_and_patients_are_collected() -> None:
    query = parse("Observation", [("patient", "Patient/7,8"), ("date", "ge2024"), ("date", "le2025")])
    assert len(query.filters) == 3 and query.patient_ids == [7, 8]
    with pytest.raises(SearchError) as raised:
        parse("Observation", [("patient", "Group/3")])
    assert raised.value.param == "patient"


@pytest.mark.parametrize(
    ("resource_type", "name"),
    [
        ("Patient", "nickname"),
        ("Patient", "name:exact"),
        ("Condition", "onset-date"),
        ("Goal", "code"),
        ("Encounter", "_sort"),
    ],
)
def test_unsupported_parameters_are_rejected(resource_type: str, name: str) -> None:
    with pytest.raises(SearchError) as raised:
        parse(resource_type, [(name, "x")])
    assert raised.value.param == name and name in raised.value.message


def test_empty_values_are_rejected() -> None:
    with pytest.raises(SearchError):
        parse("Patient", [("name", "")])
    with pytest.raises(SearchError):
        parse("Patient", [("family", " ")])

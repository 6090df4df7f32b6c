import datetime as dt

from carenav.core.dates import age_on


def test_age_turns_on_the_birthday() -> None:
    born = dt.date(1960, 11, 24)
    assert age_on(born, dt.date(2026, 11, 23)) == 65
    assert age_on(born, dt.date(2026, 11, 24)) == 66


def test_leap_day_birthday_counts_from_march_first_in_common_years() -> None:
    born = dt.date(1944, 2, 29)
    assert age_on(born, dt.date(2025, 2, 28)) == 80
    assert age_on(born, dt.date(2025, 3, 1)) == 81


def test_unknown_birth_date() -> None:
    assert age_on(None, dt.date(2026, 11, 24)) is None

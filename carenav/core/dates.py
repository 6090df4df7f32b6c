import datetime as dt


def age_on(birth_date: dt.date | None, today: dt.date) -> int | None:
    """Completed years of age on `today` (None when the birth date is unknown)."""
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))

import datetime as dt

from django import template

from carenav.core import dates

register = template.Library()


@register.filter
def age_on(birth_date: dt.date | None, today: dt.date) -> str:
    years = dates.age_on(birth_date, today)
    return "—" if years is None else str(years)


@register.filter
def measurement(obs: object) -> str:
    """ "132/84 mm[Hg]" for a blood pressure panel, "7.9 %" for a single value."""
    components = list(obs.components.all())  # type: ignore[attr-defined]
    if components:
        ordered = sorted(components, key=lambda c: c.loinc != "8480-6")
        values = "/".join(f"{c.value_num:g}" for c in ordered if c.value_num is not None)
        return f"{values} {ordered[0].unit}".strip()
    value = obs.value_num if obs.value_num is not None else obs.value_text  # type: ignore[attr-defined]
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{value} {obs.unit}".strip()  # type: ignore[attr-defined]

"""The patient's copy of the care plan: plain language, the patient's language, large type.

Django-free. ``build`` turns a plan snapshot into a small document model (used by the print page template
and by ``render_pdf``), so the HTML and the PDF say the same things. Fixed texts come from
library/patient_copy.json; goal and intervention texts that were left as the template wrote them are printed
in the patient's language; anything the team wrote by hand is printed as written.

The PDF is made with fpdf2 in pure Python with an embedded DejaVu Sans subset (fonts/), so it works on a
fresh machine with no system libraries or fonts, and covers Spanish (and other Latin, Greek, Cyrillic) text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from fpdf import FPDF

from carenav.careplans import measures
from carenav.careplans.library import Library, library

HERE = Path(__file__).parent
FONT_DIR = HERE / "fonts"
SUPPORTED = ("en", "es")
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@cache
def texts() -> dict:
    return json.loads((HERE / "library" / "patient_copy.json").read_text(encoding="utf-8"))


def language_for(preferred: str | None) -> str:
    """The copy's language: the patient's preferred one when supported (e.g. 'es-MX' -> 'es'), else English."""
    code = (preferred or "en").lower().split("-")[0]
    return code if code in SUPPORTED else "en"


def format_date(value: date | str | None, lang: str) -> str:
    if not value:
        return ""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    t = texts()[lang]
    return t["date_format"].format(day=d.day, month=t["months"][d.month - 1], year=d.year)


@dataclass(frozen=True)
class CopyGoal:
    text: str
    target: str
    due: str
    leads: str
    now: str
    status: str


@dataclass(frozen=True)
class CopyAction:
    text: str
    how_often: str
    who: str = ""
    done: bool = False


@dataclass(frozen=True)
class CopyContact:
    name: str
    role: str
    phone: str
    email: str
    organization: str
    first: bool = False


@dataclass
class PatientCopy:
    lang: str
    t: dict
    patient_name: str
    printed_on: str
    version: int
    agreed: str
    draft: bool
    what_matters: str
    contact_times: str
    goals: list[CopyGoal] = field(default_factory=list)
    i_will: list[CopyAction] = field(default_factory=list)
    caregiver_will: list[CopyAction] = field(default_factory=list)
    team_will: list[CopyAction] = field(default_factory=list)
    contacts: list[CopyContact] = field(default_factory=list)
    review_by: str = ""


def _value(measure: dict, value: float | None, lang: str) -> str:
    if value is None:
        return ""
    m = measures.catalog().get(measure["system"], measure["code"])
    text = m.number(value) if m else f"{value:g}"
    unit = measure.get("unit_label") or measure.get("unit", "")
    unit = texts()[lang]["units"].get(unit, unit)
    return f"{text} {unit}".strip()


def measure_name(measure: dict, lang: str) -> str:
    m = measures.catalog().get(measure["system"], measure["code"])
    return m.label(lang) if m else measure.get("display", measure["code"])


def target_text(goal: dict, lang: str) -> str:
    """The goal's target in plain words, e.g. 'HbA1c: below 7.0 %' or 'Puntaje PHQ-9: bajar 50% (de 18 a 9 o menos)'."""
    measure, target = goal.get("measure"), goal.get("target") or {}
    if not measure or target.get("kind") in (None, "milestone"):
        return ""
    t = texts()[lang]

    def v(x: float | None) -> str:
        return _value(measure, x, lang)

    kind = target["kind"]
    if kind == "value":
        phrase = t["comparators"][target.get("comparator") or "="].format(value=v(target.get("value")))
    elif kind == "range":
        phrase = t["range"].format(low=v(target.get("low")), high=v(target.get("high")))
    else:
        baseline = goal.get("baseline")
        direction = target.get("direction", "decrease")
        if target.get("change") is not None or target.get("change_pct") is not None:
            amount = v(target["change"]) if target.get("change") is not None else f"{target['change_pct']:g}%"
            phrase = t[direction].format(amount=amount)
            if baseline is not None and goal.get("target_threshold") is not None:
                key = "from_to_less" if direction == "decrease" else "from_to_more"
                phrase += " " + t[key].format(baseline=v(baseline), threshold=v(goal["target_threshold"]))
        else:
            phrase = t["lower" if direction == "decrease" else "higher"].format(baseline=v(baseline))
    return f"{measure_name(measure, lang)}: {phrase}"


def _who(item: dict, role_field: str, key_field: str, snap: dict, lang: str) -> str:
    role = texts()[lang]["roles"].get(item.get(role_field) or "other", item.get(role_field) or "")
    key = item.get(key_field)
    for m in snap.get("care_team", []):
        if key and m["key"] == key and m["role"] != "patient":
            return f"{m['name']} ({role})"
    return role


def build(snap: dict, lang: str, today: date, lib: Library | None = None) -> PatientCopy:
    lib = lib or library()
    t = texts()[lang]
    prefs = snap.get("preferences") or {}
    agreement = snap.get("agreement") or {}
    copy = PatientCopy(
        lang=lang,
        t=t,
        patient_name=snap["patient"]["name"],
        printed_on=format_date(today, lang),
        version=snap["version"],
        agreed=t["agreed_on"].format(date=format_date(agreement.get("agreed_on", "")[:10], lang))
        if agreement.get("agreed_on")
        else "",
        draft=snap["status"] == "draft",
        what_matters=prefs.get("what_matters", ""),
        contact_times=prefs.get("contact_times", ""),
        review_by=t["next_review"].format(date=format_date(snap["review_due"], lang))
        if snap.get("review_due")
        else "",
    )
    goals = sorted(snap.get("goals", []), key=lambda g: PRIORITY_ORDER.get(g.get("priority", "medium"), 1))
    for g in goals:
        status = g.get("status") or {}
        latest = status.get("latest_value")
        copy.goals.append(
            CopyGoal(
                text=lib.text(g.get("template_ref", ""), g["description"], lang),
                target=target_text(g, lang),
                due=format_date(g.get("due_date"), lang),
                leads=_who(g, "owner_role", "owner_key", snap, lang),
                now=_value(g["measure"], latest, lang) if g.get("measure") and latest is not None else "",
                status=t["status"].get(status.get("code", ""), ""),
            )
        )
    for i in snap.get("interventions", []):
        if i.get("status") == "cancelled":
            continue
        action = CopyAction(
            text=lib.text(i.get("template_ref", ""), i["description"], lang),
            how_often=t["frequencies"].get(i.get("frequency", ""), ""),
            who=_who(i, "performer_role", "performer_key", snap, lang),
            done=i.get("status") == "completed",
        )
        role = i.get("performer_role")
        (
            copy.i_will
            if role == "patient"
            else copy.caregiver_will
            if role == "caregiver"
            else copy.team_will
        ).append(action)
    team = [m for m in snap.get("care_team", []) if m.get("role") != "patient"]
    team.sort(key=lambda m: (not m.get("is_primary_contact"), m.get("role") != "care_manager"))
    copy.contacts = [
        CopyContact(
            name=m.get("name", ""),
            role=t["roles"].get(m.get("role", "other"), m.get("role", "")),
            phone=m.get("phone", ""),
            email=m.get("email", ""),
            organization=m.get("organization", ""),
            first=bool(m.get("is_primary_contact")),
        )
        for m in team
    ]
    return copy


class _PDF(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("body", size=10)
        self.cell(0, 8, f"{self.page_no()}/{{nb}}", align="C")


BODY, H2, H1 = 14, 19, 26  # point sizes: large, readable type


def render_pdf(copy: PatientCopy, *, compress: bool = True) -> bytes:
    """A print-ready PDF (US Letter) of the patient copy."""
    t = copy.t
    pdf = _PDF(format="letter", unit="mm")
    pdf.compress = compress
    pdf.set_title(f"{t['title']} — {copy.patient_name}")
    pdf.set_lang(copy.lang)
    pdf.set_creator("carenav")
    pdf.add_font("body", "", str(FONT_DIR / "DejaVuSans-subset.ttf"))
    pdf.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold-subset.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw

    def para(text: str, size: int = BODY, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font("body", "B" if bold else "", size)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    def heading(text: str) -> None:
        pdf.ln(3)
        para(text, H2, bold=True, gap=1)
        pdf.set_draw_color(120, 120, 120)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(2)

    def bullet(text: str, detail: str = "") -> None:
        pdf.set_font("body", "", BODY)
        pdf.cell(7, BODY * 0.5, "•")
        pdf.multi_cell(width - 7, BODY * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        if detail:
            pdf.set_x(pdf.l_margin + 7)
            pdf.set_font("body", "", BODY - 2)
            pdf.multi_cell(width - 7, (BODY - 2) * 0.5, detail, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    para(t["title"], H1, bold=True, gap=1)
    para(f"{t['prepared_for']}: {copy.patient_name}", BODY, gap=0.5)
    para(f"{t['printed_on']}: {copy.printed_on}  ·  {t['version']} {copy.version}", BODY - 2, gap=0.5)
    if copy.draft:
        para(t["draft_notice"], BODY, bold=True)
    elif copy.agreed:
        para(copy.agreed, BODY - 2)

    if copy.what_matters:
        heading(t["what_matters"])
        para(copy.what_matters)

    heading(t["my_goals"])
    if not copy.goals:
        para(t["nothing_yet"])
    for g in copy.goals:
        para(g.text, BODY, bold=True, gap=0.5)
        lines = [f"{t['target']}: {g.target}" if g.target else "", f"{t['by']}: {g.due}" if g.due else ""]
        if g.now or g.status:
            lines.append(f"{t['now']}: {g.now}" + (f" ({g.status})" if g.status and g.now else g.status))
        lines.append(f"{t['who_leads']}: {g.leads}")
        para("\n".join(x for x in lines if x), BODY - 1, gap=3)

    for title, items, show_who in (
        (t["i_will"], copy.i_will, False),
        (t["caregiver_will"], copy.caregiver_will, False),
        (t["team_will"], copy.team_will, True),
    ):
        if not items and title != t["i_will"]:
            continue
        heading(title)
        if not items:
            para(t["nothing_yet"])
        for a in items:
            detail = " · ".join(
                x for x in (a.who if show_who else "", a.how_often, t["done"] if a.done else "") if x
            )
            bullet(a.text, detail)

    heading(t["who_to_call"])
    for c in copy.contacts:
        name = f"{c.name} — {c.role}" + (f" ({t['call_first']})" if c.first else "")
        lines = [
            c.organization,
            f"{t['phone']}: {c.phone}" if c.phone else "",
            f"{t['email']}: {c.email}" if c.email else "",
        ]
        bullet(name, "\n".join(x for x in lines if x))
    if copy.contact_times:
        para(f"{t['contact_times']}: {copy.contact_times}", BODY - 1)
    para(t["emergency"], BODY, bold=True)
    if copy.review_by:
        para(copy.review_by, BODY - 1)
    return bytes(pdf.output())

"""Readable differences between two versions of a care plan.

Django-free. Works on plan snapshots (the plain-dict form of one version, built by ``services.snapshot``);
items are matched across versions by their ``key``, which a revision copies, so a goal whose target moved
reads "Goal 'HbA1c below 8%' target changed < 7.5 % → < 8.0 %" rather than one removal and one addition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    section: str  # plan | preferences | problems | goals | interventions | care_team
    kind: str  # added | removed | changed
    subject: str
    field: str = ""
    old: str = ""
    new: str = ""

    @property
    def text(self) -> str:
        if self.kind == "added":
            return f"{self.subject} added"
        if self.kind == "removed":
            return f"{self.subject} removed"
        if not self.old:
            return f"{self.subject} {self.field} set to {self.new}"
        if not self.new:
            return f"{self.subject} {self.field} cleared (was {self.old})"
        return f"{self.subject} {self.field} changed {self.old} → {self.new}"


def _plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _words(value: Any) -> str:
    return _plain(value).replace("_", " ")


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[: limit - 1] + '…'}'"


# (field label, getter) per section; getters see the item and the whole snapshot (to name linked items).
Getter = Callable[[dict, dict], str]


def _name_of(section: str, key_field: str, label_field: str) -> Getter:
    def get(item: dict, snap: dict) -> str:
        keys = item.get(key_field)
        if keys is None or keys == "":
            return ""
        wanted = keys if isinstance(keys, list) else [keys]
        names = {i["key"]: i.get(label_field, "") for i in snap.get(section, [])}
        return ", ".join(_quote(names.get(k, "?"), 40) for k in wanted)

    return get


def _field(name: str, fmt: Callable[[Any], str] = _plain) -> Getter:
    return lambda item, snap: fmt(item.get(name))


def _measure(item: dict, snap: dict) -> str:
    m = item.get("measure")
    return f"{m['display']} ({m['code']})" if m else "none (milestone)"


def _baseline(item: dict, snap: dict) -> str:
    value = item.get("baseline")
    if value is None:
        return ""
    unit = (item.get("measure") or {}).get("unit_label", "")
    when = item.get("baseline_date") or ""
    return f"{value:g} {unit}".strip() + (f" ({when})" if when else "")


def _member(role_field: str, key_field: str) -> Getter:
    def get(item: dict, snap: dict) -> str:
        role = _words(item.get(role_field))
        key = item.get(key_field)
        if key:
            for m in snap.get("care_team", []):
                if m["key"] == key:
                    return f"{m['name']} ({role})"
        return role

    return get


SECTIONS: dict[str, tuple[str, Getter, list[tuple[str, Getter]]]] = {
    # section: (singular label, subject getter, [(field label, getter)])
    "problems": (
        "Problem",
        lambda i, s: _quote(i.get("display", "")),
        [
            ("priority", _field("rank")),
            ("code", lambda i, s: f"{i.get('code')}" if i.get("code") else ""),
            ("note", _field("note")),
        ],
    ),
    "goals": (
        "Goal",
        lambda i, s: _quote(i.get("description", "")),
        [
            ("measure", _measure),
            ("baseline", _baseline),
            ("target", _field("target_text")),
            ("due date", _field("due_date")),
            ("priority", _field("priority")),
            ("owner", _member("owner_role", "owner_key")),
            ("problems addressed", _name_of("problems", "problem_keys", "display")),
        ],
    ),
    "interventions": (
        "Intervention",
        lambda i, s: _quote(i.get("description", "")),
        [
            ("who", _member("performer_role", "performer_key")),
            ("how often", _field("frequency", _words)),
            ("details", _field("details")),
            ("due date", _field("due_date")),
            ("goal", _name_of("goals", "goal_key", "description")),
            ("problem", _name_of("problems", "problem_key", "display")),
            ("status", _field("status")),
        ],
    ),
    "care_team": (
        "Care team member",
        lambda i, s: f"{i.get('name', '')} ({_words(i.get('role'))})",
        [
            ("role", _field("role", _words)),
            ("organization", _field("organization")),
            ("phone", _field("phone")),
            ("email", _field("email")),
            ("carenav user", _field("is_user")),
            ("note", _field("note")),
        ],
    ),
}

PREFERENCE_FIELDS = [
    ("what matters most", "what_matters"),
    ("preferred language", "language"),
    ("contact times", "contact_times"),
    ("contact method", "contact_method"),
    ("cultural or religious preferences", "cultural"),
    ("who may be involved", "involved"),
    ("barriers", "barriers"),
    ("barrier notes", "barriers_note"),
]

PLAN_FIELDS = [("programs", "program_codes"), ("title", "title")]


def _compare(section: str, subject: str, pairs: list[tuple[str, str, str]]) -> list[Change]:
    return [Change(section, "changed", subject, label, old, new) for label, old, new in pairs if old != new]


def diff(old: dict, new: dict) -> list[Change]:
    """Changes from ``old`` to ``new``, in plan order: plan fields, preferences, then each section."""
    changes: list[Change] = _compare(
        "plan", "Plan", [(label, _plain(old.get(f)), _plain(new.get(f))) for label, f in PLAN_FIELDS]
    )
    op, np = old.get("preferences") or {}, new.get("preferences") or {}
    changes += _compare(
        "preferences",
        "Preference",
        [(label, _plain(op.get(f)), _plain(np.get(f))) for label, f in PREFERENCE_FIELDS],
    )
    for section, (label, subject_of, fields) in SECTIONS.items():
        before = {i["key"]: i for i in old.get(section, [])}
        after = {i["key"]: i for i in new.get(section, [])}
        for key, item in after.items():
            subject = f"{label} {subject_of(item, new)}"
            if key not in before:
                changes.append(Change(section, "added", subject))
                continue
            was = before[key]
            if subject_of(was, old) != subject_of(item, new):
                changes.append(
                    Change(section, "changed", label, "wording", subject_of(was, old), subject_of(item, new))
                )
            changes += _compare(
                section, subject, [(name, get(was, old), get(item, new)) for name, get in fields]
            )
        changes += [
            Change(section, "removed", f"{label} {subject_of(item, old)}")
            for key, item in before.items()
            if key not in after
        ]
    return changes

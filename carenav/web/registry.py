"""Extension points: apps add chart panels and navigation entries from their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from carenav.accounts.permissions import Permission


@dataclass(frozen=True)
class ChartPanel:
    """A section of the patient chart. `context(user, patient)` returns the template's extra context."""

    key: str
    title: str
    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    order: int = 100
    column: str = "main"  # "main" or "side"
    permission: Permission = Permission.VIEW_PATIENT


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: Permission
    order: int = 100


_panels: dict[str, ChartPanel] = {}
_nav: dict[str, NavItem] = {}


def register_chart_panel(panel: ChartPanel) -> None:
    _panels[panel.key] = panel


def register_nav_item(item: NavItem) -> None:
    _nav[item.url_name] = item


def chart_panels() -> list[ChartPanel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def nav_items() -> list[NavItem]:
    return sorted(_nav.values(), key=lambda n: (n.order, n.label))

"""Small template helpers for the plan editor: dict lookup, a failed form's values, field errors."""

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key if key in mapping else str(key))
    return None


@register.simple_tag
def form_values(failed: dict[str, Any], form_id: str, default: Any) -> Any:
    """What a form shows: what was just typed if this form failed, else its normal values."""
    if failed and failed.get("form") == form_id:
        return failed.get("values") or default
    return default


@register.simple_tag
def field_error(failed: dict[str, Any], form_id: str, field: str) -> str:
    if failed and failed.get("form") == form_id and failed.get("field") == field:
        return format_html(
            '<span class="field-error" id="err-{}-{}" role="alert">{}</span>',
            form_id,
            field,
            failed["message"],
        )
    return ""


@register.simple_tag
def form_error(failed: dict[str, Any], form_id: str, fields: str) -> str:
    """The error of a failed form that belongs to none of the fields it shows (a form-level message)."""
    shown = set(fields.split())
    if failed and failed.get("form") == form_id and failed.get("field") not in shown:
        return format_html('<p class="form-error" role="alert">{}</p>', failed["message"])
    return ""


@register.simple_tag
def invalid(failed: dict[str, Any], form_id: str, field: str) -> str:
    """aria-invalid and autofocus for the field that failed, so the cursor lands on it."""
    if failed and failed.get("form") == form_id and failed.get("field") == field:
        return format_html('aria-invalid="true" autofocus aria-describedby="err-{}-{}"', form_id, field)
    return ""

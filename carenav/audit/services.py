from typing import Any

from carenav.audit.middleware import current_request
from carenav.audit.models import AuditEvent
from carenav.core import clock


def audit_record(
    *,
    actor: Any,
    action: str,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AuditEvent.Outcome.ALLOWED,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what to which patient's data, when, from where, and how it ended."""
    ctx = current_request.get()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        organization_id=getattr(actor, "organization_id", None) if authenticated else None,
        action=action,
        patient_id=patient_id,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        ip_address=ctx.ip_address if ctx else None,
        user_agent=ctx.user_agent if ctx else "",
        path=ctx.path if ctx else "",
        channel=ctx.channel if ctx else "cli",
        detail=detail or {},
    )

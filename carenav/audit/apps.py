from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carenav.audit"
    label = "audit"
    verbose_name = "Audit log"

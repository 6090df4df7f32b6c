from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "carenav.interop"
    label = "interop"
    verbose_name = "FHIR import"

from django.apps import AppConfig


class FhirApiConfig(AppConfig):
    name = "carenav.fhirapi"
    label = "fhirapi"
    verbose_name = "FHIR R4 REST interface"

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "carenav.patients"
    label = "patients"

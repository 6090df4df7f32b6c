from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carenav.core"
    label = "core"

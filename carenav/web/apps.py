from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "carenav.web"
    label = "web"

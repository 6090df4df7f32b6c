from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "carenav.tasks"
    label = "tasks"
    verbose_name = "Tasks"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carenav.accounts"
    label = "accounts"
    verbose_name = "Organizations and staff"

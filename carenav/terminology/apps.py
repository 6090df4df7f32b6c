from django.apps import AppConfig


class TerminologyConfig(AppConfig):
    name = "carenav.terminology"
    label = "terminology"
    verbose_name = "Terminology"

    def ready(self) -> None:
        from carenav.accounts.permissions import Permission
        from carenav.web.registry import NavItem, register_nav_item

        register_nav_item(NavItem("Value sets", "terminology:index", Permission.CONFIGURE, order=900))

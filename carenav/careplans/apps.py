from django.apps import AppConfig


class CarePlansConfig(AppConfig):
    name = "carenav.careplans"
    label = "careplans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        from carenav.accounts.permissions import Permission
        from carenav.careplans.views import careplan_panel_context
        from carenav.web.registry import ChartPanel, NavItem, register_chart_panel, register_nav_item

        register_chart_panel(
            ChartPanel(
                key="careplan",
                title="Care plan",
                template="careplans/_panel.html",
                context=careplan_panel_context,
                order=10,
            )
        )
        register_nav_item(NavItem("Plan reviews", "careplans:reviews", Permission.VIEW_PATIENT, order=300))
        register_nav_item(NavItem("Plan templates", "careplans:library", Permission.CONFIGURE, order=910))

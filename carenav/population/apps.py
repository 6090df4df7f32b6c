from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "carenav.population"
    label = "population"
    verbose_name = "Population risk"

    def ready(self) -> None:
        from carenav.accounts.permissions import Permission
        from carenav.population.views import risk_panel_context
        from carenav.web.registry import ChartPanel, NavItem, register_chart_panel, register_nav_item

        register_nav_item(NavItem("Risk runs", "population:runs", Permission.VIEW_POPULATION, order=15))
        register_chart_panel(
            ChartPanel(
                key="risk",
                title="Risk",
                template="population/_risk_panel.html",
                context=risk_panel_context,
                order=8,
                column="main",
            )
        )

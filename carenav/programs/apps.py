from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "carenav.programs"
    label = "programs"
    verbose_name = "Programs and enrollment"

    def ready(self) -> None:
        from carenav.accounts.permissions import Permission
        from carenav.programs.views import chart_panel_context
        from carenav.web.registry import ChartPanel, NavItem, register_chart_panel, register_nav_item

        register_nav_item(NavItem("Candidates", "programs:candidates", Permission.VIEW_POPULATION, order=20))
        register_nav_item(NavItem("My caseload", "programs:caseload", Permission.ENROLL, order=30))
        register_nav_item(NavItem("Caseloads", "programs:caseloads", Permission.ASSIGN_CASELOAD, order=31))
        register_chart_panel(
            ChartPanel(
                key="programs",
                title="Programs",
                template="programs/_chart_panel.html",
                context=chart_panel_context,
                order=20,
            )
        )

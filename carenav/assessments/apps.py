from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "carenav.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Load and validate every instrument now: a broken definition stops start-up with an
        # InstrumentDefinitionError naming the file and the item.
        from carenav.assessments.definitions import default_registry
        from carenav.assessments.panels import register_panels

        default_registry()
        register_panels()

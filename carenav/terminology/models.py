from django.db import models


class ValueSetCatalog(models.Model):
    """No table: gives the Django admin index a "Value sets" entry that links to /terminology/.

    Value sets are versioned JSON files (carenav/terminology/data), not database rows.
    """

    class Meta:
        managed = False
        db_table = "terminology_valueset_catalog"
        verbose_name = "value set"
        verbose_name_plural = "value sets"

    def __str__(self) -> str:
        return "value sets"

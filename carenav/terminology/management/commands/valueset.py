import argparse
import csv
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from carenav.terminology import valuesets

EXAMPLES = """\
examples:
  carenav valueset list                       every value set with its version
  carenav valueset list --valueset chronic    the categories of one value set
  carenav valueset show chronic heart_failure every code of one category
  carenav valueset test I50.22                which categories a code falls in, and why
  carenav valueset test i5022 88805009 Z59.41 several codes; dots and case do not matter
  carenav valueset test 44054006 --system snomed
  carenav valueset export > lookup.csv        rows for an analytics lookup table

ICD-10-CM codes match by prefix after removing dots; SNOMED CT concepts match exactly.
Codes of digits only are taken as SNOMED CT, anything else as ICD-10-CM, unless --system says.
The files live in carenav/terminology/data; bump "version" whenever you change one.
"""

_SYSTEMS = {"icd10cm": valuesets.ICD10CM, "snomed": valuesets.SNOMED}


class Command(BaseCommand):
    help = "Browse the versioned value sets (chronic, Charlson, SDOH...) and test codes against them."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.epilog = EXAMPLES
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,show,test,export}")
        listing = sub.add_parser("list", help="list value sets, or the categories of one")
        listing.add_argument(
            "--valueset", metavar="ID", help="show this value set's categories (e.g. chronic)"
        )
        show = sub.add_parser("show", help="show every code and attribute of one category")
        show.add_argument("valueset", help="value set id, e.g. chronic, charlson, sdoh")
        show.add_argument("category", help="category key, e.g. heart_failure (see: list --valueset ID)")
        test = sub.add_parser("test", help="classify codes and explain each match")
        test.add_argument("codes", nargs="+", metavar="CODE", help="ICD-10-CM code (I50.22) or SNOMED CT id")
        test.add_argument(
            "--system", choices=["auto", *_SYSTEMS], default="auto", help="code system (default: detect)"
        )
        sub.add_parser("export", help="print the lookup rows as CSV for analytics joins")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            valuesets.load_valuesets()
        except valuesets.ValueSetError as exc:
            raise CommandError(str(exc)) from exc
        getattr(self, "_" + options["action"])(options)

    def _console(self) -> Console:
        # OutputWrapper is a text stream; rich only needs write/flush/isatty.
        out = cast(IO[str], self.stdout)
        return Console(file=out, width=None if out.isatty() else 160, highlight=False)

    def _get(self, valueset_id: str) -> valuesets.ValueSet:
        try:
            return valuesets.get_valueset(valueset_id)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from exc

    def _list(self, options: dict[str, Any]) -> None:
        console = self._console()
        if not options.get("valueset"):
            table = Table("id", "version", "title", "categories", "ICD-10-CM prefixes", "SNOMED CT concepts")
            for vs in valuesets.load_valuesets().values():
                table.add_row(
                    vs.id,
                    vs.version,
                    vs.title,
                    str(len(vs.categories)),
                    str(sum(len(c.icd10cm_prefixes) for c in vs.categories)),
                    str(sum(len(c.snomed) for c in vs.categories)),
                )
            console.print(table)
            console.print("Categories of one value set: carenav valueset list --valueset chronic")
            return
        vs = self._get(options["valueset"])
        table = Table(
            "key", "display", "attributes", "ICD-10-CM", "SNOMED CT", title=f"{vs.title} ({vs.label})"
        )
        for category in vs.categories:
            prefixes = [valuesets.format_icd10cm(p) for p in category.icd10cm_prefixes]
            shown = ", ".join(prefixes[:6]) + (f" … (+{len(prefixes) - 6})" if len(prefixes) > 6 else "")
            table.add_row(
                category.key,
                category.display,
                valuesets.describe_attributes(vs, category),
                shown,
                str(len(category.snomed)),
            )
        console.print(table)
        console.print(f"Every code of a category: carenav valueset show {vs.id} <key>")

    def _show(self, options: dict[str, Any]) -> None:
        vs = self._get(options["valueset"])
        try:
            category = vs.category(options["category"])
        except KeyError as exc:
            keys = ", ".join(c.key for c in vs.categories)
            raise CommandError(f"{exc.args[0]}; categories: {keys}") from exc
        console = self._console()
        lines = [
            f"{category.display}  {vs.id}:{category.key}  ({vs.label})",
            f"Attributes: {valuesets.describe_attributes(vs, category)}",
            "ICD-10-CM prefixes: " + (", ".join(map(valuesets.format_icd10cm, category.icd10cm)) or "—"),
        ]
        if category.icd10cm_additions:
            lines.append(
                "ICD-10-CM additions: " + ", ".join(map(valuesets.format_icd10cm, category.icd10cm_additions))
            )
        lines += ["SNOMED CT concepts: " + (", ".join(category.snomed) or "—"), f"Source: {vs.source}"]
        for line in lines:
            console.print(line, markup=False, soft_wrap=True)

    def _test(self, options: dict[str, Any]) -> None:
        console = self._console()
        for code in options["codes"]:
            system = _SYSTEMS.get(options["system"]) or valuesets.detect_system(code)
            console.print(valuesets.explain(system, code), markup=False, soft_wrap=True)
            for match in valuesets.classify(system, code):
                console.print(f"    {match.reason}", markup=False, soft_wrap=True)

    def _export(self, options: dict[str, Any]) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["valueset", "version", "category", "system", "code_or_prefix", "match_kind"])
        writer.writerows(valuesets.lookup_rows())

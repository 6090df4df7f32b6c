"""The demo population: carenav's own synthetic generator, imported like any other FHIR export."""

import datetime as dt

from django.conf import settings
from rich.console import Console

from carenav.accounts.models import Organization
from carenav.core import clock


def load_demo_population(org: Organization, *, patients: int, seed: int, console: Console) -> None:
    from carenav.interop.services import import_paths
    from carenav.synth import generate

    if org.patients.exists():
        console.print(f"{org.name} already has {org.patients.count():,} patients; keeping them.")
        return
    out = settings.CARENAV_HOME / f"demo-population-{seed}-{patients}"
    as_of: dt.date = clock.today()
    console.print(f"Generating {patients:,} synthetic patients (seed {seed}) into {out}…")
    generate(out, patients=patients, seed=seed, as_of=as_of)
    console.print("Importing them…")
    import_paths([out], organization=org, console=console)

"""The demo population: carenav's own synthetic generator, imported like any other FHIR export,
then stratified, with every program switched on so the candidate queue has work in it."""

import datetime as dt
import os

from django.conf import settings
from rich.console import Console

from carenav.accounts.models import Organization
from carenav.core import clock
from carenav.interop.services import import_paths
from carenav.population.services import stratify_organization
from carenav.programs.definitions import load_programs
from carenav.programs.services import candidates_refresh, organization_program_set
from carenav.synth.generate import generate


def load_demo_population(org: Organization, *, patients: int, seed: int, console: Console) -> None:
    if org.patients.exists():
        console.print(f"{org.name} already has {org.patients.count():,} patients; keeping them.")
        return
    out = settings.CARENAV_HOME / f"demo-population-{seed}-{patients}"
    as_of: dt.date = clock.today()
    console.print(f"Generating {patients:,} synthetic patients (seed {seed}) into {out}…")
    generate(out, patients=patients, seed=seed, as_of=as_of, workers=os.cpu_count() or 1)
    import_paths([out], organization=org, console=console)
    console.print("Stratifying the population…")
    run = stratify_organization(actor=None, organization=org, as_of=as_of)
    for code in load_programs():
        organization_program_set(actor=None, organization=org, program_code=code)
    summary = candidates_refresh(actor=None, organization=org, run=run)
    console.print(
        f"Risk run {run.pk}: {run.population_size:,} patients; {summary.created:,} outreach candidates."
    )

"""Django-free, deterministic synthetic population generator (FHIR R4 bulk-data NDJSON).

Entry points: ``carenav synth`` (cli.py) and ``generate()`` (generate.py).
"""

"""FHIR R4 import (bundles and bulk NDJSON): validate, map and write into the patients models."""

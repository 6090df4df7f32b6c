"""Loaded as a plugin (-p) before pytest-django reads the settings."""

import os

# The live test server speaks plain HTTP, so cookies must not require HTTPS during tests.
os.environ.setdefault("CARENAV_HTTPS", "0")
os.environ.setdefault("CARENAV_HOME", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

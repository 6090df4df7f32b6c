"""The analytics package never imports Django (DESIGN.md: import boundaries)."""

import subprocess
import sys


def test_analytics_imports_without_django() -> None:
    code = (
        "import sys; import carenav.analytics.pipeline, carenav.analytics.export, carenav.analytics.charlson; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"

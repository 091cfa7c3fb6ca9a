"""The served app, as gunicorn imports it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_served_app_keeps_its_start_up_objects_out_of_garbage_collection(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(CRM_CONFIG="development", CRM_INSTANCE_PATH=str(tmp_path))
    script = "import gc; print(gc.get_freeze_count()); import wsgi; print(gc.get_freeze_count())"

    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )

    before, after = (int(line) for line in result.stdout.split())
    assert before == 0
    assert after > 10_000  # the app's modules, mappers and templates, not a handful

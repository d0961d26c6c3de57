"""The entry point: ``python -m desktop --self-check`` starts offscreen and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]


def test_self_check_starts_the_local_stack_and_exits_zero(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["OCRJOBS_DATA_DIR"] = str(tmp_path / "data")
    env["HOME"] = str(tmp_path)  # QSettings and the keyring stay out of the real home
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", "--self-check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "self-check: window shown=True backend=local poll ok=True" in proc.stdout

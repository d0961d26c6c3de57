"""Smoke tests of the frozen executables in ``dist/`` (``make dist && make dist-test``).

Skipped unless ``OCRJOBS_DIST_DIR`` names the build output (``make dist-test`` sets it):
building takes minutes, so ``make test`` does not.

- The frozen worker runs with an empty ``PATH`` (no Python, no ``tesseract`` to find)
  against a local stack started here, from the venv's Python, and OCRs a job with the
  Tesseract library and language data it carries.
- The frozen desktop's ``--self-check`` starts offscreen on its own embedded local stack,
  shows the window, polls once and exits 0.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrjobs.bootstrap import build_context
from ocrjobs.domain.status import ItemStatus, JobStatus
from ocrjobs.localstack import LocalStack
from ocrjobs.services import jobs

DIST_ENV = "OCRJOBS_DIST_DIR"
if not os.environ.get(DIST_ENV):
    pytest.skip(f"{DIST_ENV} not set: run `make dist && make dist-test`", allow_module_level=True)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DIST = Path(os.environ[DIST_ENV])
WORKER = DIST / "ocrjobs-worker" / "ocrjobs-worker"
DESKTOP = DIST / "ocrjobs-desktop" / "ocrjobs-desktop"
SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def _bare_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    """A minimal environment: empty PATH, a private HOME, nothing of this venv."""
    return {
        "PATH": "",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "LANG": "C.UTF-8",
        "OCRJOBS_CONFIG": os.devnull,
        **extra,
    }


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    local = LocalStack(tmp_path / "stack")
    local.start()
    yield local
    local.stop()


def test_frozen_worker_processes_a_job_with_an_empty_path(
    stack: LocalStack, tmp_path: Path
) -> None:
    assert WORKER.is_file(), f"{WORKER} missing: run make dist"
    assert stack.settings is not None
    ctx = build_context(stack.settings)
    try:
        result = jobs.create_job(ctx, "frozen worker", [SAMPLES / "en-line.png"])
        assert result.job is not None
        job_id = result.job.job.id
        home = tmp_path / "home"
        (home / "run").mkdir(parents=True)
        run = subprocess.run(
            [str(WORKER), "--drain", "--concurrency", "1", "--wait-seconds", "1"],
            env=_bare_env(home, {**stack.env, "OCRJOBS_DATA_DIR": str(tmp_path / "w")}),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        logs = run.stdout + run.stderr
        assert run.returncode == 0, logs
        # The OCR engine must be the bundled one: its data lives in the bundle.
        assert str(WORKER.parent / "_internal" / "tessdata") in logs, logs
        detail = jobs.get_job(ctx, job_id)
        assert detail.job.status is JobStatus.DONE, logs
        item = detail.items[0]
        assert item.status is ItemStatus.DONE
        expected = (SAMPLES / "en-line.txt").read_text(encoding="utf-8").split()
        found = (item.ocr_text or "").split()
        assert len(set(expected) & set(found)) >= len(set(expected)) // 2, (expected, found)
    finally:
        ctx.close()


def test_frozen_worker_has_no_qt_and_says_its_version() -> None:
    internal = WORKER.parent / "_internal"
    assert not any(internal.glob("PySide6")), "the worker bundle must not carry Qt"
    assert not any(internal.glob("libQt6*")), "the worker bundle must not carry Qt"
    version = (internal / "VERSION").read_text(encoding="utf-8").strip()
    from ocrjobs import __version__

    assert version.startswith(__version__ + "+")
    assert {p.name for p in (internal / "tessdata").glob("*.traineddata")} == {
        "eng.traineddata",
        "por.traineddata",
        "osd.traineddata",
    }


def test_frozen_desktop_self_check(tmp_path: Path) -> None:
    assert DESKTOP.is_file(), f"{DESKTOP} missing: run make dist"
    home = tmp_path / "home"
    (home / "run").mkdir(parents=True)
    run = subprocess.run(
        [str(DESKTOP), "--self-check"],
        env=_bare_env(home, {"QT_QPA_PLATFORM": "offscreen"}),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "self-check:" in run.stdout


def test_worker_archive_checksum() -> None:
    archives = sorted(DIST.glob("ocrjobs-worker-*.tar.gz"))
    assert archives, "make dist writes the worker archive"
    line = (archives[-1].parent / (archives[-1].name + ".sha256")).read_text().split()
    assert line[1] == archives[-1].name
    assert len(line[0]) == 64
    with tarfile.open(archives[-1]) as tar:
        names = set(tar.getnames())
    # What the CloudFormation user data installs: the executable and its systemd unit.
    assert {"ocrjobs-worker/ocrjobs-worker", "ocrjobs-worker/ocrjobs-worker.service"} <= names

"""Run the local stack in a separate process so the peer and our code share it fairly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType


class StackProcess:
    """``python -m ocrjobs local --print-env`` in a child process; its env parsed."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.proc: subprocess.Popen[str] | None = None
        self.env: dict[str, str] = {}

    def __enter__(self) -> StackProcess:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ocrjobs",
                "local",
                "--print-env",
                "--data-dir",
                str(self.data_dir),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 60
        # The exports come sorted; OCRJOBS_QUEUE is the last one.
        while not {"OCRJOBS_DATABASE_URL", "OCRJOBS_QUEUE", "AWS_SESSION_TOKEN"} <= set(self.env):
            line = self.proc.stdout.readline()
            if not line or time.monotonic() > deadline:
                raise RuntimeError("local stack did not start")
            if line.startswith("export "):
                key, _, value = line[len("export ") :].strip().partition("=")
                self.env[key] = value.strip("'")
        return self

    def apply(self) -> None:
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(self.env)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(30)

"""bench/worker's CPU accounting from /proc (Linux), where processes and threads come
and go while it reads."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from bench.worker import bench_worker

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="/proc/<pid>/task/<tid>/children is Linux's"
)


def test_children_of_a_process_whose_threads_come_and_go() -> None:
    """moto's threaded server starts a thread per connection: one ending between the
    listing of /proc/<pid>/task and the read of its children file is not an error."""
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            threads = [threading.Thread(target=time.sleep, args=(0,)) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

    # Children other tests left running (a moto server, a submission process) may be
    # there; none is started here, so the answer never holds anything new.
    before = set(bench_worker._children(os.getpid()))
    churner = threading.Thread(target=churn)
    churner.start()
    try:
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            assert set(bench_worker._children(os.getpid())) <= before
    finally:
        stop.set()
        churner.join()


def test_tree_cpu_leaves_out_a_descendant_that_ended_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    me = os.getpid()
    monkeypatch.setattr(bench_worker, "_children", lambda pid: [ended.pid] if pid == me else [])
    assert bench_worker._tree_cpu(me) >= bench_worker._proc_cpu(me)

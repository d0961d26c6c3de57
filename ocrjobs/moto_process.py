"""moto's threaded server in a child process of its own, which never outlives its owner.

moto costs a few milliseconds of CPU per request (werkzeug, a thread and a connection
per request, queue walks). Run inside the desktop's process, all of it took turns with
the UI thread on one GIL: the window stalled up to ~250 ms while a drop was uploaded and
OCRed on the local stack. In a child it has an interpreter of its own.

The child is a ``multiprocessing`` **spawn** child (no forked copy of a GUI process;
frozen builds start it through ``freeze_support()`` like the OCR processes). It stops
when its owner says so, when the owner's end of the pipe closes, or when the owner dies
(even by SIGKILL: the kernel then closes the owner's end of the pipe and of
multiprocessing's parent sentinel, and the child sees end-of-file).
Not ``PR_SET_PDEATHSIG``: it fires when the *thread* that started the child ends, and
the desktop starts the stack on a pool thread that Qt retires after 30 s idle.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from ocrjobs.domain.errors import OcrJobsError

log = logging.getLogger(__name__)

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0


class MotoProcessError(OcrJobsError):
    """The moto child could not start (port taken, import failed, died)."""

    code = "LOCAL_STACK_FAILED"


class MotoProcess:
    """A moto server on ``host:port`` served by a child process.

    Args:
        host: the address to listen on.
        port: 0 picks a free port.
        env: the child's AWS environment. moto calls botocore itself, so the owner's
            ``AWS_*`` variables (a real profile, real keys) are dropped in the child and
            these set instead.

    Example::

        server = MotoProcess("127.0.0.1")
        host, port = server.start()
        ...
        server.stop()
    """

    def __init__(self, host: str, port: int = 0, env: Mapping[str, str] | None = None) -> None:
        self.host = host
        self.port = port
        self.env = dict(env or {})
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    def start(self) -> tuple[str, int]:
        """Start the child; block until it listens (a second or so). Returns (host, port).

        Raises:
            MotoProcessError: the child could not listen, or died, or took too long.
        """
        if self._proc is not None:
            raise RuntimeError("moto process already started")
        mp = multiprocessing.get_context("spawn")
        ours, theirs = mp.Pipe()
        # daemon: multiprocessing's exit handler ends it if the owner forgets stop().
        proc = mp.Process(
            target=serve,
            args=(theirs, self.host, self.port, self.env),
            name="ocrjobs-moto",
            daemon=True,
        )
        t0 = time.perf_counter()
        proc.start()
        theirs.close()
        self._proc, self._conn = proc, ours
        try:
            host, port = _listening(ours, proc, START_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        log.debug("moto pid=%s on %s:%s in %.2fs", proc.pid, host, port, time.perf_counter() - t0)
        return host, port

    def stop(self) -> None:
        """Stop the child (nothing to save: moto keeps no state). Idempotent."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()  # the child takes the closed pipe as "stop"
        if proc is None:
            return
        proc.join(STOP_TIMEOUT_S)
        if proc.is_alive():
            log.warning("moto pid=%s did not stop; killing it", proc.pid)
            proc.kill()
            proc.join(STOP_TIMEOUT_S)
        if not proc.is_alive():
            proc.close()


def _listening(conn: Connection, proc: BaseProcess, timeout: float) -> tuple[str, int]:
    """The child's first word: where it listens, or why it could not."""
    deadline = time.monotonic() + timeout
    while not conn.poll(0.05):
        if not proc.is_alive() and not conn.poll():
            raise MotoProcessError(f"moto process exited with code {proc.exitcode}")
        if time.monotonic() > deadline:
            raise MotoProcessError(f"moto did not start within {timeout:.0f}s")
    try:
        reply = conn.recv()
    except EOFError as exc:
        raise MotoProcessError("moto process exited before it listened") from exc
    match reply:
        case ("ready", str(host), int(port)):
            return host, port
        case ("error", str(why)):
            raise MotoProcessError(f"moto could not start: {why}")
    raise MotoProcessError(f"unexpected reply from the moto process: {reply!r}")


def serve(conn: Connection, host: str, port: int, env: Mapping[str, str]) -> None:
    """The child: serve until the owner stops us or goes away."""
    # Ctrl-C in a terminal reaches the whole process group; the owner decides when moto
    # stops (after its worker, which still talks to it while finishing an item).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[key]
    os.environ.update(env)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    try:
        if port:  # moto's start() waits forever if its thread cannot bind: check first
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        server.start()
        real_host, real_port = server.get_host_and_port()
        conn.send(("ready", real_host, real_port))
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    parent = multiprocessing.parent_process()
    watched: list[Connection | int] = [conn]
    if parent is not None and parent.sentinel is not None:
        watched.append(parent.sentinel)
    wait(watched)  # a message, EOF (the owner closed or died) or the owner's sentinel
    # No graceful shutdown: moto keeps nothing, and requests in flight are the owner's.
    os._exit(0)

"""Entry point: ``python -m desktop`` / ``ocrjobs-desktop``.

Without a display (Linux with neither ``DISPLAY`` nor ``WAYLAND_DISPLAY`` and no
``QT_QPA_PLATFORM``) the app says so and exits with status 3, so ``make run`` can fall
back to the headless demo. ``--self-check`` starts offscreen, shows the window on the
local stack, waits for the backend and a poll, and exits 0 when all went well.
"""

from __future__ import annotations

import argparse
import gc
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from desktop.backend import Backend, Mode
from desktop.gc_guard import UiThreadCollector
from desktop.i18n import install_translator
from desktop.main_window import MainWindow
from desktop.preferences import Preferences
from desktop.resources import Resources
from desktop.tasks import TaskRunner
from desktop.theme import Theme

NO_DISPLAY_EXIT = 3
SELF_CHECK_TIMEOUT_S = 60.0

log = logging.getLogger(__name__)


def has_display(env: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """True when Qt can open windows here (always on Windows and macOS)."""
    env = os.environ if env is None else env
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ocrjobs-desktop", description="OCR Jobs desktop client")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="start offscreen on the local stack, show the window, exit 0 if it works",
    )
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--local", action="store_true", help="force the embedded local stack")
    backend.add_argument("--aws", action="store_true", help="force the configured AWS backend")
    parser.add_argument("--lang", default=None, help="interface language, e.g. pt_BR or en")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop app; returns the process exit status."""
    multiprocessing.freeze_support()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Tesseract in an embedded worker must not oversubscribe the CPU (FIELD-NOTES).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if args.self_check:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not has_display():
        print(
            "ocrjobs-desktop: no display available (DISPLAY/WAYLAND_DISPLAY unset).\n"
            "Run it on a desktop session, or try `python -m desktop --self-check`, or use\n"
            "the command line (`ocrjobs --help`) / `make demo` for a headless run.",
            file=sys.stderr,
        )
        return NO_DISPLAY_EXIT

    QApplication.setOrganizationName("ocrjobs")
    QApplication.setApplicationName("ocrjobs-desktop")
    QApplication.setApplicationDisplayName("OCR Jobs")
    app = QApplication(sys.argv[:1])
    collector = UiThreadCollector(app)
    resources = Resources()
    app.setWindowIcon(resources.icon("app"))
    prefs = Preferences(QSettings())
    translators = install_translator(app, args.lang or prefs.ui_language())
    theme = Theme(app, resources)
    window = build_window(resources, prefs)
    window.backend.ready.connect(collector.freeze)  # start-up is over (see gc_guard)
    local: bool | None = True if (args.local or args.self_check) else (False if args.aws else None)
    window.backend.start(prefs.settings, local=local)
    window.show()
    # Ctrl+C in the terminal closes the window cleanly (Python only sees signals
    # between Qt events, so a timer wakes the interpreter up).
    signal.signal(signal.SIGINT, lambda *_a: window.close())
    wake = QTimer(window)
    wake.timeout.connect(lambda: None)
    wake.start(250)
    try:
        if args.self_check:
            return _self_check(app, window)
        return int(app.exec())
    finally:
        window.shutdown()
        dispose(app, window)
        collector.stop()
        del theme, translators


def dispose(app: QApplication, window: MainWindow) -> None:
    """Delete the window while the QApplication still exists.

    Left to interpreter shutdown, PySide 6.12 may tear Python wrappers and their C++
    objects down in an order that aborts the process ("bool_dealloc"); seen when the
    banner held a callback. Deleting explicitly and collecting first avoids it.
    """
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    gc.collect()


def build_window(resources: Resources, prefs: Preferences) -> MainWindow:
    """The window with its own task runner and backend (owned by the window)."""
    runner = TaskRunner()
    backend = Backend(runner)
    window = MainWindow(resources, prefs, runner, backend)
    runner.setParent(window)
    backend.setParent(window)
    return window


def _self_check(app: QApplication, window: MainWindow) -> int:
    deadline = time.monotonic() + SELF_CHECK_TIMEOUT_S
    while window.backend.mode is Mode.STARTING and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    if window.backend.mode is not Mode.LOCAL:
        print(f"self-check: backend did not start (mode {window.backend.mode})", file=sys.stderr)
        return 1
    window.poller.tick()
    while window.poller.ok is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    ok = bool(window.isVisible() and window.poller.ok)
    print(
        f"self-check: window shown={window.isVisible()} backend={window.backend.mode} "
        f"poll ok={window.poller.ok} "
        f"worker={'running' if window.backend.worker_running else 'none'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

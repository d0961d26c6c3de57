"""The main window: job table, detail view, drops, uploads, live polling and job actions.

Every call to the core runs through the :class:`TaskRunner`; this class only wires
signals and updates widgets with the results.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QSystemTrayIcon,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.audit_dialog import AuditDialog
from desktop.backend import Backend, Mode
from desktop.banner import Banner, Level
from desktop.export_dialog import ExportDialog
from desktop.filter_bar import FilterBar
from desktop.job_detail import JobDetailPanel
from desktop.job_table_model import SORT_KEYS, Column, JobTableModel
from desktop.outbox import Outbox, OutboxEntry
from desktop.poller import Poller
from desktop.preferences import Preferences
from desktop.progress_delegate import ProgressDelegate
from desktop.resources import Resources
from desktop.search_dialog import SearchDialog
from desktop.settings_dialog import SettingsDialog
from desktop.status_bar import StatusBar
from desktop.submission import SubmissionProcess, SubmissionProcessError, created_anyway
from desktop.submission_child import throttled
from desktop.submit_dialog import Source, SubmitDialog
from desktop.tasks import Report, TaskHandle, TaskRunner
from desktop.uploads_panel import UploadsPanel
from ocrjobs.config import Settings
from ocrjobs.domain.errors import BackendUnavailable, Cancelled, OcrJobsError
from ocrjobs.domain.model import (
    AuditEvent,
    CreateResult,
    DeleteReport,
    JobDetail,
    JobSummary,
    NamedBytes,
    Progress,
)
from ocrjobs.services import export as export_service
from ocrjobs.services import jobs as job_service
from ocrjobs.services import maintenance
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

UPLOAD_THREADS = 4
"""Submissions that run at once; more wait their turn (the child runs each on a thread)."""


def error_text(exc: BaseException) -> str:
    """The human message of a core error, else the exception's text."""
    if isinstance(exc, OcrJobsError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def error_details(exc: BaseException) -> str:
    parts = [f"{type(exc).__module__}.{type(exc).__name__}: {exc}"]
    code = getattr(exc, "code", None)
    if code:
        parts.append(f"code: {code}")
    extra = getattr(exc, "details", None)
    if extra:
        parts.append(str(extra))
    if isinstance(exc, BackendUnavailable):
        parts.append(f"service: {exc.service}\nendpoint: {exc.endpoint}\nreason: {exc.reason}")
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        parts.append(f"caused by {type(cause).__name__}: {cause}")
    return "\n".join(parts)


def _unreachable(exc: BaseException) -> bool:
    if isinstance(exc, BackendUnavailable):
        return True
    if getattr(exc, "transient", False):
        return True
    return type(exc).__name__ in {"OperationalError", "EndpointConnectionError"}


class MainWindow(QMainWindow):
    """Jobs on top, the selected job below; drop files anywhere to create a job."""

    submission_finished = Signal(object)
    """A ``CreateResult`` (or the exception) after a submission ends."""
    outbox_changed = Signal(int)
    """How many submissions are held in the outbox."""
    notified = Signal(str, str)
    """``(title, message)`` of a desktop notification (also when no tray exists)."""

    def __init__(
        self,
        resources: Resources,
        prefs: Preferences,
        runner: TaskRunner,
        backend: Backend,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.res = resources
        self.prefs = prefs
        self.runner = runner
        self.upload_runner = TaskRunner(self, max_threads=UPLOAD_THREADS)
        """Submissions wait for their uploads on threads of their own: a few long drops
        (an outbox flush of held ones) never hold the threads that polls, detail loads
        and thumbnails need."""
        self.backend = backend
        self.ask_job_name = True
        self.child_submissions = True
        """Create jobs in a child process when the backend can be rebuilt from settings
        (see :mod:`desktop.submission`); False runs them on a task thread here."""
        self.submissions = SubmissionProcess()
        """The long-lived child creating jobs; started when the backend is ready."""
        self.submit_dialog: SubmitDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.audit_dialog: AuditDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.search_dialog: SearchDialog | None = None
        self._uploads: dict[int, TaskHandle] = {}
        self.outbox: Outbox | None = None
        self.outbox_retry_s = 15.0
        """Seconds between attempts to send held submissions while polls succeed."""
        self._outbox_tried = 0.0
        self._held: dict[str, int] = {}
        """Outbox entry id → its row in the uploads panel (negative ids)."""
        self._held_ids = 0
        self._sending: set[str] = set()
        # A plain attribute, not a Qt dynamic property: PySide 6.12 mis-counts references
        # of Python bools stored that way (seen as "bool_dealloc" aborts at exit).
        self._banner_for_connection = False
        self.setWindowTitle(self.tr("OCR Jobs"))
        self.setWindowIcon(resources.icon("app"))
        self.setAcceptDrops(True)
        self.setAccessibleName(self.tr("OCR Jobs main window"))

        self.model = JobTableModel(runner, backend.context, self)
        self.poller = Poller(runner, backend.context, self)
        self._make_actions()
        self._make_widgets()
        self._make_menus()
        self._wire()
        self._restore_state()
        self._update_actions()

    # -- construction -------------------------------------------------------------------------

    def _action(
        self, icon: str | None, text: str, shortcut: QKeySequence | str | None, slot: object
    ) -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(self.res.icon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(
                f"{text.replace('&', '').rstrip('…')} "
                f"({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        std = QKeySequence.StandardKey
        self.open_action = self._action(
            "open", self.tr("&Open images…"), QKeySequence(std.Open), self.open_files
        )
        self.paste_action = self._action(
            "paste", self.tr("&Paste images"), QKeySequence(std.Paste), self.paste
        )
        self.refresh_action = self._action(
            "refresh", self.tr("&Refresh"), QKeySequence(std.Refresh), self.refresh
        )
        self.settings_action = self._action(
            "settings", self.tr("&Settings…"), "Ctrl+,", self.open_settings
        )
        self.quit_action = self._action(None, self.tr("&Quit"), "Ctrl+Q", self.close)
        self.rename_action = self._action("rename", self.tr("Re&name"), "F2", self.rename_current)
        self.retry_action = self._action(
            "retry", self.tr("Re&try failed"), "Ctrl+R", self.retry_current
        )
        self.audit_action = self._action(
            "audit", self.tr("&Audit trail"), "Ctrl+L", self.show_audit
        )
        self.delete_action = self._action(
            "delete", self.tr("&Delete…"), QKeySequence(std.Delete), self.delete_current
        )
        self.find_action = self._action(
            "search", self.tr("&Find jobs"), QKeySequence(std.Find), self._focus_search
        )
        self.find_text_action = self._action(
            "search", self.tr("Find in &text…"), "Ctrl+Shift+F", self.find_text
        )
        self.export_action = self._action(
            "export", self.tr("&Export…"), "Ctrl+E", self.export_current
        )
        self.copy_action = self._action(
            "copy", self.tr("&Copy text"), "Ctrl+Shift+C", self._copy_text
        )
        self.save_action = self._action(
            "save", self.tr("&Save text as…"), QKeySequence(std.Save), self._save_text
        )
        self.zoom_in_action = self._action(
            "zoom-in", self.tr("Zoom &in"), QKeySequence(std.ZoomIn), self._zoom_in
        )
        self.zoom_out_action = self._action(
            "zoom-out", self.tr("Zoom &out"), QKeySequence(std.ZoomOut), self._zoom_out
        )
        self.zoom_fit_action = self._action(
            "zoom-fit", self.tr("&Fit image"), "Ctrl+0", self._zoom_fit
        )
        self.about_action = self._action("info", self.tr("&About OCR Jobs"), None, self._about)
        for a in (self.open_action, self.paste_action, self.quit_action, self.settings_action):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.job_actions = [
            self.rename_action,
            self.retry_action,
            self.audit_action,
            self.export_action,
            self.delete_action,
        ]

    def _make_widgets(self) -> None:
        toolbar = QToolBar(self.tr("Main toolbar"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.open_action)
        toolbar.addAction(self.paste_action)
        toolbar.addSeparator()
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.settings_action)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy()
        )
        toolbar.addWidget(spacer)
        self.mode_badge = QLabel()
        self.mode_badge.setObjectName("modeBadge")
        self.mode_badge.setAccessibleName(self.tr("Backend mode"))
        toolbar.addWidget(self.mode_badge)
        self.addToolBar(toolbar)

        self.banner = Banner(
            {
                Level.INFO: self.res.icon("info"),
                Level.WARNING: self.res.icon("warning"),
                Level.ERROR: self.res.icon("warning"),
            }
        )
        self.filters = FilterBar(self.res.icon("search"))
        self.table = QTableView()
        self.table.setObjectName("jobTable")
        self.table.setAccessibleName(self.tr("Jobs"))
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
        self._sort_indicator = (int(Column.CREATED), Qt.SortOrder.DescendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions(self.job_actions)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        for col, width in (
            (Column.CREATED, 140),
            (Column.STATUS, 110),
            (Column.PROGRESS, 190),
            (Column.ITEMS, 260),
            (Column.DURATION, 90),
        ):
            self.table.setColumnWidth(col, width)
        self.empty_hint = QLabel(
            self.tr("Drop images or folders here, or press Ctrl+O, to create your first job."),
            self.table.viewport(),
        )
        self.empty_hint.setObjectName("placeholder")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)

        self.uploads = UploadsPanel(self.res.icon("cancel"))
        self.detail = JobDetailPanel(self.runner, self.backend.context, self.res, self.job_actions)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(12, 8, 12, 4)
        tl.setSpacing(6)
        tl.addWidget(self.banner)
        tl.addWidget(self.filters)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.uploads)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([400, 460])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.drop_overlay = QLabel(self.tr("Drop images, PDFs or folders to create a job"), self)
        self.drop_overlay.setObjectName("dropOverlay")
        self.drop_overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_overlay.hide()

        self.status = StatusBar()
        self.setStatusBar(self.status)
        self._show_mode(self.backend.mode)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self.res.icon("app"), self)
            self.tray.setToolTip(self.tr("OCR Jobs"))
            self.tray.show()
        self.setMinimumSize(900, 600)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.open_action, self.paste_action])
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        job_menu = bar.addMenu(self.tr("&Job"))
        job_menu.addActions(self.job_actions)
        job_menu.addSeparator()
        job_menu.addActions([self.copy_action, self.save_action])
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addActions([self.find_action, self.find_text_action, self.refresh_action])
        view_menu.addSeparator()
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.zoom_fit_action])
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)

    def _wire(self) -> None:
        self.backend.ready.connect(self._backend_ready)
        self.backend.failed.connect(self._backend_failed)
        self.backend.mode_changed.connect(lambda m: self._show_mode(Mode(m)))
        self.runner.error.connect(self.show_error)
        self.upload_runner.error.connect(self.show_error)
        self.model.load_failed.connect(self.show_error)
        self.model.rename_requested.connect(self.rename_job)
        self.model.total_changed.connect(lambda _n: self._update_count())
        self.model.rowsInserted.connect(lambda *_a: self._update_count())
        self.model.rowsRemoved.connect(lambda *_a: self._update_count())
        self.model.modelReset.connect(self._update_count)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.filters.changed.connect(lambda st, text: self.model.set_query(status=st, search=text))
        self.uploads.cancel_requested.connect(self.cancel_upload)
        self.detail.failed.connect(self.show_error)
        self.detail.loaded.connect(lambda _d: self._update_actions())
        self.detail.text.textChanged.connect(self._update_actions)
        self.detail.text_saved.connect(
            lambda p: self.status.showMessage(self.tr("Text saved to {path}").format(path=p), 5000)
        )
        self.poller.jobs_changed.connect(self._jobs_changed)
        self.poller.items_changed.connect(self.detail.apply_items)
        self.poller.job_finished.connect(self._job_finished)
        self.poller.connection_changed.connect(self.status.set_connection)
        self.poller.connection_changed.connect(self._connection_changed)
        self.poller.depth_changed.connect(self.status.set_depth)
        self.poller.rate_changed.connect(self.status.set_rate)

    # -- backend --------------------------------------------------------------------------------

    def ctx(self) -> Context | None:
        return self.backend.context()

    def _show_mode(self, mode: Mode) -> None:
        settings = self.backend.settings
        texts = {
            Mode.STARTING: (self.tr("Starting…"), ""),
            Mode.LOCAL: (
                self.tr("Local stack"),
                self.tr(
                    "Embedded local stack on 127.0.0.1 (no AWS account); data is discarded on exit"
                ),
            ),
            Mode.AWS: (
                self.tr("AWS"),
                self.tr("AWS region {region}, bucket {bucket}").format(
                    region=(settings.aws_region if settings else "") or "default",
                    bucket=settings.bucket if settings else "",
                ),
            ),
            Mode.INJECTED: (self.tr("Test backend"), ""),
            Mode.FAILED: (self.tr("Not connected"), ""),
        }
        text, tip = texts[mode]
        self.mode_badge.setText(text)
        self.mode_badge.setToolTip(tip)
        self.mode_badge.setProperty("mode", str(mode))
        self.mode_badge.style().unpolish(self.mode_badge)
        self.mode_badge.style().polish(self.mode_badge)
        self.status.set_mode(text, tip)
        if mode is Mode.LOCAL:
            if self.backend.worker_running:
                self.status.set_worker(self.tr("Worker running"))
            else:
                self.status.set_worker(
                    self.tr("No worker running"),
                    self.backend.worker_note or self.tr("Start one with: ocrjobs-worker"),
                )
        else:
            self.status.set_worker("")
        self.setWindowTitle(self.tr("OCR Jobs — {mode}").format(mode=text))

    def _backend_ready(self) -> None:
        self.banner.hide()
        self.model.reload()
        settings = self.backend.settings
        self.poller.reset()
        self.poller.start(settings.poll_interval if settings else 2.0)
        self._update_actions()
        self._prepare_submissions()
        if settings is not None:
            self.outbox = Outbox(settings.data_path / "outbox")
            self.flush_outbox()
        if self.backend.mode is Mode.LOCAL and not self.backend.worker_running:
            self.banner.show_message(
                Level.INFO,
                self.tr(
                    "Running on the embedded local stack, but no OCR worker is running: "
                    "jobs stay pending."
                ),
                self.backend.worker_note,
            )

    def _submit_in_child(self) -> bool:
        return (
            self.child_submissions
            and self.backend.settings is not None
            and self.backend.mode in {Mode.LOCAL, Mode.AWS}
        )

    def _prepare_submissions(self) -> None:
        """Have the submission process ready for this backend before the first drop."""
        settings = self.backend.settings
        if settings is not None and self._submit_in_child():
            self.runner.run(
                lambda: self.submissions.prepare(settings),
                on_error=lambda e: log.warning(
                    "the submission process did not start ahead; the first drop starts it",
                    exc_info=e,
                ),
                label="start submission process",
            )
        elif self.submissions.pid is not None:
            self.runner.run(self.submissions.retire, label="retire submission process")

    def _backend_failed(self, exc: BaseException) -> None:
        self.show_error(exc, self.tr("The backend could not start"))
        self.status.set_connection(False, error_text(exc))
        self._prepare_submissions()  # no backend: the old one's child is not needed

    def _connection_changed(self, ok: bool, message: str) -> None:
        if not ok and not self.banner.isVisible():
            self.banner.show_message(
                Level.ERROR,
                self.tr("Lost the connection to the database: {message}").format(message=message),
                message,
            )
        elif (
            ok
            and self.banner.isVisible()
            and self.banner.level is Level.ERROR
            and self._banner_for_connection
        ):
            self.banner.hide()
        self._banner_for_connection = not ok
        if ok and self._held and time.monotonic() - self._outbox_tried >= self.outbox_retry_s:
            self.flush_outbox()

    # -- errors ---------------------------------------------------------------------------------

    def show_error(self, exc: object, context: str = "") -> None:
        """Show a failure in the banner (never modal); the details are behind a button."""
        if not isinstance(exc, BaseException):
            exc = RuntimeError(str(exc))
        log.error("%s", context or "operation failed", exc_info=exc)
        message = error_text(exc)
        if context:
            message = f"{context}: {message}"
        self._banner_for_connection = False
        self.banner.show_message(Level.ERROR, message, error_details(exc))

    # -- table ----------------------------------------------------------------------------------

    def current_summary(self) -> JobSummary | None:
        index = self.table.currentIndex()
        return self.model.summary(index.row()) if index.isValid() else None

    def current_job_id(self) -> UUID | None:
        s = self.current_summary()
        return s.id if s else None

    def select_job(self, job_id: UUID) -> bool:
        row = self.model.row_of(job_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, Column.NAME))
        return True

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        s = self.model.summary(current.row()) if current.isValid() else None
        job_id = s.id if s else None
        if job_id != self.detail.job_id:
            self.detail.show_job(job_id)
        self.poller.detail_job = job_id
        self._update_actions()

    def _sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        """Columns the database cannot sort by keep the indicator where it was."""
        if (Column(column), order) in SORT_KEYS:
            self._sort_indicator = (column, order)
            return
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(*self._sort_indicator)
        header.blockSignals(False)
        self.status.showMessage(self.tr("This column cannot be sorted"), 3000)

    def _update_actions(self) -> None:
        s = self.current_summary()
        ready = self.ctx() is not None
        for a in self.job_actions:
            a.setEnabled(ready and s is not None)
        if s is not None:
            self.retry_action.setEnabled(ready and s.counts.error > 0)
        for a in (self.open_action, self.paste_action, self.refresh_action):
            a.setEnabled(ready)
        has_text = bool(self.detail.text.toPlainText())
        self.copy_action.setEnabled(has_text)
        self.save_action.setEnabled(has_text)

    def _update_count(self) -> None:
        self.filters.set_count(self.model.rowCount(), self.model.total)
        self._place_hint()
        self._update_actions()

    def _place_hint(self) -> None:
        empty = self.model.rowCount() == 0 and not self.model.loading
        self.empty_hint.setVisible(empty)
        if empty:
            self.empty_hint.setGeometry(self.table.viewport().rect().adjusted(20, 20, -20, -20))

    def _jobs_changed(self, summaries: tuple[JobSummary, ...]) -> None:
        self.model.apply_changes(summaries)
        current = self.current_job_id()
        for s in summaries:
            if s.id == current:
                self.detail.apply_summary(s)
        self._update_actions()

    def _job_finished(self, s: JobSummary) -> None:
        c = s.counts
        title = self.tr("Job finished: {name}").format(name=s.job.name)
        message = self.tr("{done} of {total} items done, {failed} failed").format(
            done=c.done, total=c.total, failed=c.error
        )
        self.notify(title, message)

    def notify(self, title: str, message: str) -> None:
        """A desktop notification (tray), else a status-bar message and a taskbar alert."""
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, message, self.res.icon("app"), 8000)
        else:
            QApplication.alert(self)
        self.status.showMessage(f"{title} — {message}", 10000)
        self.notified.emit(title, message)

    def refresh(self) -> None:
        self.model.reload()
        if self.detail.job_id is not None:
            self.detail.reload()

    # -- drops, open, paste -------------------------------------------------------------------

    @staticmethod
    def _local_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
        md = event.mimeData()
        if md is None or not md.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in md.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._local_paths(event) and self.ctx() is not None:
            event.acceptProposedAction()
            self._show_overlay(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if self._local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        self._show_overlay(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._show_overlay(False)
        paths = self._local_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.request_job(paths)

    def _show_overlay(self, on: bool) -> None:
        if on:
            central = self.centralWidget()
            rect = central.geometry() if central is not None else self.rect()
            self.drop_overlay.setGeometry(rect.adjusted(16, 16, -16, -16))
            self.drop_overlay.raise_()
        self.drop_overlay.setVisible(on)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_hint()

    def open_files(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose images"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(
            [
                self.tr(
                    "Images and PDFs (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.gif *.webp *.pdf)"
                ),
                self.tr("All files (*)"),
            ]
        )
        dialog.filesSelected.connect(lambda files: self.request_job([Path(f) for f in files]))
        dialog.open()

    def paste(self) -> None:
        """Files copied in a file manager, or an image copied from any application."""
        md = QGuiApplication.clipboard().mimeData()
        if md is None:
            return
        paths = (
            [Path(u.toLocalFile()) for u in md.urls() if u.isLocalFile()] if md.hasUrls() else []
        )
        if paths:
            self.request_job(paths)
            return
        if md.hasImage():
            image = QImage(md.imageData())
            if not image.isNull():
                data = QByteArray()
                buffer = QBuffer(data)
                buffer.open(QIODevice.OpenModeFlag.WriteOnly)
                image.save(buffer, "PNG")  # type: ignore[call-overload]  # stub says bytes, runtime wants str
                buffer.close()
                self.request_job([NamedBytes("pasted image.png", bytes(data.data()))])
                return
        self.status.showMessage(self.tr("The clipboard holds no image or file"), 5000)

    def request_job(self, files: Sequence[Source]) -> None:
        """Ask for the job's name and language (unless disabled), then submit."""
        if not files:
            return
        settings = self.backend.settings
        language = settings.default_language if settings else "eng"
        name = job_service.default_name(list(files))
        if not self.ask_job_name:
            self.submit(files, name, language)
            return
        dialog = SubmitDialog(files, name, self.backend.languages, language, self)
        dialog.accepted.connect(
            lambda: self.submit(dialog.files, dialog.name or name, dialog.language)
        )
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.submit_dialog = dialog
        dialog.open()

    def submit(
        self, files: Sequence[Source], name: str, language: str, *, outbox_id: str | None = None
    ) -> TaskHandle | None:
        """Create a job in the background with progress and cancel.

        ``outbox_id`` names the held submission being sent again (removed once sent).
        """
        ctx = self.ctx()
        if ctx is None:
            self.banner.show_message(
                Level.ERROR, self.tr("Not connected: nothing was sent."), "\n".join(_names(files))
            )
            return None
        files = list(files)
        settings = self.backend.settings
        in_child = self._submit_in_child()

        def work(handle: TaskHandle, report: Report) -> CreateResult:
            if in_child:
                assert settings is not None
                job_id = uuid.uuid4()
                try:
                    return self.submissions.submit(
                        settings,
                        name,
                        files,
                        language,
                        report=report,
                        cancel=handle.cancel_event,
                        job_id=job_id,
                    )
                except SubmissionProcessError:
                    found = created_anyway(ctx, job_id)
                    if found is None:
                        raise
                    log.warning("the upload process died after committing job=%s", job_id)
                    return found
            return job_service.create_job(
                ctx,
                name,
                files,
                language=language,
                progress=throttled(report),
                cancel=handle.cancel_event,
            )

        handle = self.upload_runner.run_with(
            work,
            on_progress=lambda p: self._upload_progress(handle.id, p),
            on_done=lambda r: self._submitted(handle.id, r, outbox_id),
            on_error=lambda e: self._submit_failed(handle.id, files, name, language, e, outbox_id),
            label=f"create_job {name!r}",
        )
        self._uploads[handle.id] = handle
        self.uploads.add(handle.id, name)
        return handle

    def cancel_upload(self, task_id: int) -> None:
        held = next((eid for eid, row in self._held.items() if row == task_id), None)
        if held is not None:
            self._discard_held(held)
            return
        handle = self._uploads.get(task_id)
        if handle is not None:
            handle.cancel()
            self.uploads.set_stage(task_id, self.tr("Cancelling…"))

    def _upload_progress(self, task_id: int, p: object) -> None:
        if isinstance(p, Progress):
            self.uploads.update_progress(task_id, p)

    def _submitted(self, task_id: int, result: CreateResult, outbox_id: str | None = None) -> None:
        self._uploads.pop(task_id, None)
        self.uploads.remove(task_id)
        if outbox_id is not None:
            self._sending.discard(outbox_id)
            outbox = self.outbox
            if outbox is not None:
                self.runner.run(lambda: outbox.remove(outbox_id), label="outbox remove")
        if result.job is not None:
            summary = JobSummary(result.job.job, result.job.counts)
            self.poller.note([summary])
            if not self.model.apply_changes([summary]):
                self.model.reload()
            self.select_job(summary.id)
            self.status.showMessage(
                self.tr("Job “{name}” created with {n} items").format(
                    name=summary.job.name, n=result.job.counts.total
                ),
                6000,
            )
        if result.rejected:
            lines = [f"{r.name}: {r.reason} [{r.code}]" for r in result.rejected]
            if result.job is None:
                text = self.tr(
                    "No job was created: none of the %n file(s) could be used.",
                    "",
                    len(result.rejected),
                )
            else:
                text = self.tr(
                    "%n file(s) were refused; the others were sent.", "", len(result.rejected)
                )
            self.banner.show_message(Level.WARNING, text, "\n".join(lines))
        elif result.unsent:
            self.banner.show_message(
                Level.WARNING,
                self.tr(
                    "%n item(s) could not be queued yet; they will be sent again automatically.",
                    "",
                    result.unsent,
                ),
            )
        self.submission_finished.emit(result)

    def _submit_failed(
        self,
        task_id: int,
        files: list[Source],
        name: str,
        language: str,
        exc: BaseException,
        outbox_id: str | None = None,
    ) -> None:
        self._uploads.pop(task_id, None)
        self.uploads.remove(task_id)
        if outbox_id is not None:
            self._sending.discard(outbox_id)
            if not isinstance(exc, Cancelled):
                self._show_held(outbox_id, name)
                self._outbox_tried = time.monotonic()
                self.submission_finished.emit(exc)
                return
        if _unreachable(exc) and self.outbox is not None:
            self._hold(files, name, language, exc)
            self.submission_finished.emit(exc)
            return
        self.submission_finished.emit(exc)
        if isinstance(exc, Cancelled):
            self.status.showMessage(
                self.tr("Upload of “{name}” cancelled; nothing was kept").format(name=name), 6000
            )
            return
        if _unreachable(exc):
            self._refuse(files, name, language, exc)
            return
        self.show_error(exc, self.tr("Could not create the job “{name}”").format(name=name))

    def _refuse(self, files: list[Source], name: str, language: str, exc: BaseException) -> None:
        """No outbox available: say clearly that nothing was sent, list every file."""
        listing = "\n".join(_names(files))

        def send_again() -> None:
            self.submit(files, name, language)

        self.banner.show_message(
            Level.ERROR,
            self.tr(
                "Nothing was sent — {reason}. Your %n file(s) are listed in the details; "
                "send again when the connection is back.",
                "",
                len(files),
            ).format(reason=error_text(exc)),
            error_details(exc) + "\n\n" + listing,
            action=self.tr("Send again"),
            callback=send_again,
        )

    # -- outbox -------------------------------------------------------------------------------

    def _hold(self, files: list[Source], name: str, language: str, exc: BaseException) -> None:
        """Keep a submission that failed for lack of a backend in the local outbox."""
        outbox = self.outbox
        assert outbox is not None
        listing = "\n".join(_names(files))

        def held(entry: OutboxEntry) -> None:
            self._show_held(entry.id, name)
            self._outbox_tried = time.monotonic()
            self.banner.show_message(
                Level.WARNING,
                self.tr(
                    "Cannot reach the backend ({reason}). “{name}” is kept in the outbox "
                    "and will be sent automatically when the connection is back."
                ).format(reason=error_text(exc), name=name),
                error_details(exc) + "\n\n" + listing,
                action=self.tr("Send now"),
                callback=self.flush_outbox,
            )
            self.outbox_changed.emit(len(self._held))

        def not_held(copy_error: BaseException) -> None:
            log.error("could not hold the submission in the outbox", exc_info=copy_error)
            self._refuse(files, name, language, exc)

        self.runner.run(
            lambda: outbox.hold(files, name, language),
            on_done=held,
            on_error=not_held,
            label="outbox hold",
        )

    def _show_held(self, entry_id: str, name: str) -> None:
        if entry_id in self._held:
            return
        self._held_ids -= 1
        self._held[entry_id] = self._held_ids
        self.uploads.add(self._held_ids, name)
        self.uploads.set_stage(self._held_ids, self.tr("Waiting to send"), cancellable=True)

    def _discard_held(self, entry_id: str) -> None:
        row = self._held.pop(entry_id, None)
        if row is not None:
            self.uploads.remove(row)
        outbox = self.outbox
        if outbox is not None:
            self.runner.run(lambda: outbox.remove(entry_id), label="outbox discard")
        self.outbox_changed.emit(len(self._held))

    def flush_outbox(self) -> None:
        """Send every held submission again (from this session or an earlier one)."""
        outbox = self.outbox
        if outbox is None or self.ctx() is None:
            return
        self._outbox_tried = time.monotonic()
        self.runner.run(outbox.entries, on_done=self._send_held, label="outbox entries")

    def _send_held(self, entries: list[OutboxEntry]) -> None:
        for entry in entries:
            if entry.id in self._sending:
                continue
            row = self._held.pop(entry.id, None)
            if row is not None:
                self.uploads.remove(row)
            self._sending.add(entry.id)
            self.submit(list(entry.files), entry.name, entry.language, outbox_id=entry.id)
        self.outbox_changed.emit(len(self._held))

    # -- job actions --------------------------------------------------------------------------

    def rename_current(self) -> None:
        """F2: edit the name inline in the table."""
        row = self.table.currentIndex().row()
        if row >= 0:
            index = self.model.index(row, Column.NAME)
            self.table.setCurrentIndex(index)
            self.table.edit(index)

    def rename_job(self, job_id: UUID, name: str) -> None:
        ctx = self.ctx()
        if ctx is None:
            return
        self.runner.run(
            lambda: job_service.rename_job(ctx, job_id, name),
            on_done=self._renamed,
            on_error=lambda e: self.show_error(e, self.tr("Could not rename the job")),
            label="rename_job",
        )

    def _renamed(self, s: JobSummary) -> None:
        self.model.apply_changes([s])
        self.detail.apply_summary(s)
        self.status.showMessage(self.tr("Renamed to “{name}”").format(name=s.job.name), 5000)

    def delete_current(self) -> None:
        """Count what will be removed (items, audit entries), then ask."""
        s, ctx = self.current_summary(), self.ctx()
        if s is None or ctx is None:
            return

        def count() -> tuple[JobDetail, list[AuditEvent]]:
            return job_service.get_job(ctx, s.id), job_service.job_events(ctx, s.id)

        self.runner.run(
            count,
            on_done=lambda r: self._confirm_delete(r[0], r[1]),
            on_error=self.show_error,
            label="delete preview",
        )

    def _confirm_delete(self, detail: JobDetail, events: list[AuditEvent]) -> None:
        n = len(detail.items)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Delete job"))
        box.setText(self.tr("Delete the job “{name}”?").format(name=detail.job.name))
        box.setInformativeText(
            self.tr(
                "This permanently removes {objects} stored image(s) from the bucket, "
                "{rows} database row(s) (the job and its {items} item(s)) and "
                "{events} audit log entr(ies). The deletion itself is logged."
            ).format(objects=n, rows=n + 1, items=n, events=len(events))
        )
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        delete = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        job_id = detail.job.id
        box.buttonClicked.connect(lambda b: self._delete(job_id) if b is delete else None)
        box.finished.connect(lambda _r: box.deleteLater())
        self.confirm_box = box
        box.open()

    def _delete(self, job_id: UUID) -> None:
        ctx = self.ctx()
        if ctx is None:
            return
        self.runner.run(
            lambda: job_service.delete_job(ctx, job_id),
            on_done=self._deleted,
            on_error=lambda e: self.show_error(e, self.tr("Could not delete the job")),
            label="delete_job",
        )

    def _deleted(self, report: DeleteReport) -> None:
        self.model.remove_job(report.job_id)
        if self.detail.job_id == report.job_id:
            self.detail.show_job(None)
        self.status.showMessage(
            self.tr("Deleted: {objects} objects, {rows} rows, {events} audit entries").format(
                objects=report.objects, rows=report.items + 1, events=report.audit_events
            ),
            8000,
        )

    def retry_current(self) -> None:
        s, ctx = self.current_summary(), self.ctx()
        if s is None or ctx is None:
            return
        self.runner.run(
            lambda: maintenance.retry_items(ctx, s.id),
            on_done=self._retried,
            on_error=lambda e: self.show_error(e, self.tr("Could not retry the items")),
            label="retry_items",
        )

    def _retried(self, n: int) -> None:
        self.status.showMessage(self.tr("%n item(s) queued again", "", n), 6000)
        self.poller.tick()
        self.detail.reload()

    def show_audit(self) -> None:
        s, ctx = self.current_summary(), self.ctx()
        if s is None or ctx is None:
            return
        self.runner.run(
            lambda: job_service.job_events(ctx, s.id),
            on_done=lambda events: self._show_audit(s.job.name, events),
            on_error=lambda e: self.show_error(e, self.tr("Could not read the audit log")),
            label="job_events",
        )

    def _show_audit(self, name: str, events: list[AuditEvent]) -> None:
        dialog = AuditDialog(name, events, self)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.audit_dialog = dialog
        dialog.show()

    # -- settings -------------------------------------------------------------------------------

    def open_settings(self) -> None:
        """Read the stored settings (and the keyring) in the background, then show the dialog."""
        self.runner.run(
            self.prefs.settings,
            on_done=self._open_settings,
            on_error=lambda e: self.show_error(e, self.tr("Could not read the settings")),
            label="load settings",
        )

    def _open_settings(self, current: Settings) -> None:
        dialog = SettingsDialog(
            self.prefs,
            current,
            self.backend.languages,
            self.runner,
            self.res,
            self,
            test_ctx_settings=self.backend.settings if self.backend.mode is Mode.LOCAL else None,
        )
        dialog.accepted.connect(lambda: self._settings_saved(dialog))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.settings_dialog = dialog
        dialog.open()

    def _settings_saved(self, dialog: SettingsDialog) -> None:
        new = dialog.saved_settings
        if new is None:
            return
        if dialog.backend_changed:
            self.poller.stop()
            self.status.set_connection(None, "")
            self.backend.restart(new)
        elif self.backend.settings is not None:
            self.backend.settings = self.backend.settings.replace(
                poll_interval=new.poll_interval, default_language=new.default_language
            )
            if self.backend.ctx is not None:
                self.backend.ctx.settings = self.backend.ctx.settings.replace(
                    default_language=new.default_language
                )
            self.poller.start(new.poll_interval)
            self._prepare_submissions()  # a child for the updated settings
        if dialog.language_changed:
            self.banner.show_message(
                Level.INFO, self.tr("The new language applies the next time OCR Jobs starts.")
            )

    # -- export and text search (desktop/export_dialog.py, desktop/search_dialog.py) ------------

    def export_current(self) -> None:
        """Ask for a format and destination, then export the selected job."""
        s = self.current_summary()
        if s is None or self.ctx() is None:
            return
        dialog = ExportDialog(s.job.name, self)
        job_id = s.id
        dialog.export_requested.connect(
            lambda fmt, dest, per_item: self.export_job(job_id, fmt, dest, per_item=per_item)
        )
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.export_dialog = dialog
        dialog.open()

    def export_job(
        self, job_id: UUID, fmt: str, dest: Path, *, per_item: bool = False
    ) -> TaskHandle | None:
        """Export in the background; the banner names what was written."""
        ctx = self.ctx()
        if ctx is None:
            return None
        self.status.showMessage(self.tr("Exporting…"))
        return self.runner.run(
            lambda: export_service.export_job(ctx, job_id, fmt, dest, per_item=per_item),
            on_done=lambda paths: self._exported(dest, paths),
            on_error=lambda exc: self.show_error(exc, self.tr("Export failed")),
            label=f"export {job_id} {fmt}",
        )

    def _exported(self, dest: Path, paths: list[Path]) -> None:
        message = self.tr("Exported %n file(s) to {path}", "", len(paths)).format(path=dest)
        folder = paths[0].parent if paths else dest

        def open_folder() -> None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

        self.banner.show_message(
            Level.INFO,
            message,
            "\n".join(str(p) for p in paths),
            action=self.tr("Open folder"),
            callback=open_folder,
        )
        self.status.showMessage(message, 10000)

    def find_text(self) -> None:
        """Open (or raise) the non-modal Find in text window."""
        if self.search_dialog is None:
            self.search_dialog = SearchDialog(self.runner, self.backend.context, self)
            self.search_dialog.hit_activated.connect(self.show_hit)
        self.search_dialog.show()
        self.search_dialog.raise_()
        self.search_dialog.activateWindow()
        self.search_dialog.query_edit.setFocus()

    def show_hit(self, job_id: UUID, item_id: UUID) -> None:
        """Select a job and one of its items; clears the filters when they hide the job."""
        self.detail.select_item(item_id)
        if self.select_job(job_id):
            return

        def select_loaded() -> None:
            if not self.select_job(job_id):
                self.status.showMessage(self.tr("That job is no longer in the list"), 5000)

        def retry(loading: bool) -> None:
            if loading:
                return
            self.model.loading_changed.disconnect(retry)
            # The model signals the end of loading just before it inserts the rows.
            QTimer.singleShot(0, select_loaded)

        self.model.loading_changed.connect(retry)
        self.filters.search.blockSignals(True)
        self.filters.search.clear()
        self.filters.search.blockSignals(False)
        self.filters.status.blockSignals(True)
        self.filters.status.setCurrentIndex(0)
        self.filters.status.blockSignals(False)
        self.model.set_query(status=None, search="")

    # -- detail shortcuts ---------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _copy_text(self) -> None:
        self.detail.copy_text()

    def _save_text(self) -> None:
        self.detail.save_text_dialog()

    def _zoom_in(self) -> None:
        self.detail.viewer.zoom_in()

    def _zoom_out(self) -> None:
        self.detail.viewer.zoom_out()

    def _zoom_fit(self) -> None:
        self.detail.viewer.zoom_fit()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About OCR Jobs"),
            self.tr(
                "OCR Jobs — drop images in, read their text.\n"
                "Desktop client of the ocrjobs pipeline."
            ),
        )

    # -- state ----------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.prefs.bytes_value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 860)
        for key, widget in (
            ("window/splitter", self.splitter),
            ("window/detailSplitter", self.detail.splitter),
        ):
            state = self.prefs.bytes_value(key)
            if state is not None:
                widget.restoreState(state)
        header = self.prefs.bytes_value("window/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)

    def save_state(self) -> None:
        self.prefs.set_bytes("window/geometry", self.saveGeometry())
        self.prefs.set_bytes("window/splitter", self.splitter.saveState())
        self.prefs.set_bytes("window/detailSplitter", self.detail.splitter.saveState())
        self.prefs.set_bytes("window/header", self.table.horizontalHeader().saveState())
        self.prefs.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._uploads:
            box = QMessageBox.question(
                self,
                self.tr("Uploads in progress"),
                self.tr(
                    "%n upload(s) are still running. Cancel them and quit?", "", len(self._uploads)
                ),
            )
            if box != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            for handle in self._uploads.values():
                handle.cancel()
        self.poller.stop()
        self.submissions.stop()  # the child exits once the cancelled uploads are undone
        self.save_state()
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop polling, wait for background tasks and the submission process, release the
        backend."""
        self.poller.stop()
        self.upload_runner.shutdown()
        self.runner.shutdown()
        self.submissions.join()  # before the local stack goes: a child may still be undoing
        self.backend.stop()


def _names(files: Sequence[Source]) -> list[str]:
    return [f.name if isinstance(f, NamedBytes) else str(f) for f in files]

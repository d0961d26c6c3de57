"""The selected job: header with actions, its items (thumbnails), the image and its OCR text.

Selecting a job fetches it and indexes its items on a task thread; the UI thread only
swaps the rows in. Thumbnails are decoded off the UI thread for the rows on screen.
Selecting an item loads its image and word boxes in one background task; the boxes are
drawn over the image (toggle in the image toolbar) and decide the item's review flag.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.image_viewer import ImageViewer, turned
from desktop.item_model import THUMB_SIZE, ItemListModel, ItemRows, prepare_rows
from desktop.job_table_model import STATUS_COLORS
from desktop.resources import Resources
from desktop.tasks import TaskRunner
from desktop.thumbnails import ThumbnailLoader
from ocrjobs.domain.model import JobDetail, JobItem, JobSummary
from ocrjobs.domain.status import ItemStatus, JobStatus
from ocrjobs.domain.words import PageWords
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

IMAGE_CACHE = 40
THUMB_DELAY_MS = 40
"""Thumbnails are asked for once scrolling or resizing pauses this long."""


def _decode(data: bytes, content_type: str) -> QImage:
    image = QImage()
    if not content_type.endswith("pdf"):
        image.loadFromData(data)
    return image


@dataclass(frozen=True, slots=True)
class ItemView:
    """What the viewer shows for one item: the image turned as OCRed, and its word boxes."""

    status: ItemStatus
    image: QImage
    words: PageWords | None


@dataclass(frozen=True, slots=True)
class LoadedJob:
    """A job fetched for the panel, its rows prepared off the UI thread."""

    detail: JobDetail
    base: JobDetail | None
    """What the panel showed when the fetch started."""
    rows: ItemRows | None
    """The rows to show; ``None`` when the items are those of ``base`` (same ids, order)."""
    changed: tuple[JobItem, ...]
    """With ``rows`` None: the items that differ from ``base``."""


def load_job(ctx: Context, job_id: UUID, base: JobDetail | None) -> LoadedJob:
    """Fetch the job and prepare its rows, or what changed since ``base`` (a task thread)."""
    detail = job_service.get_job(ctx, job_id)
    if (
        base is not None
        and base.job.id == detail.job.id
        and len(base.items) == len(detail.items)
        and all(a.id == b.id for a, b in zip(base.items, detail.items, strict=True))
    ):
        changed = tuple(b for a, b in zip(base.items, detail.items, strict=True) if a != b)
        return LoadedJob(detail, base, None, changed)
    return LoadedJob(detail, base, prepare_rows(detail.items), ())


def load_view(ctx: Context, item: JobItem) -> ItemView:
    """Fetch and decode the item's image and word boxes (runs on a task thread)."""
    image = _decode(ctx.store.get(item.s3_key), item.content_type)
    words: PageWords | None = None
    if item.status is ItemStatus.DONE:
        try:
            words = job_service.item_words(ctx, item.id)
        except Exception:  # the image is still worth showing without its boxes
            log.warning("word boxes unavailable for item=%s", item.id, exc_info=True)
    return ItemView(item.status, turned(image, words.rotate if words else 0), words)


class JobDetailPanel(QWidget):
    """Shows one job; :meth:`show_job` loads it in the background, :meth:`apply_items` updates."""

    loaded = Signal(object)
    """The ``JobDetail`` just shown."""
    failed = Signal(object)
    text_saved = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        context: Callable[[], Context | None],
        resources: Resources,
        job_actions: Sequence[QAction],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._context = context
        self._res = resources
        self.job_id: UUID | None = None
        self.detail: JobDetail | None = None
        self._images: dict[UUID, ItemView] = {}
        self._pending_item: UUID | None = None
        self._generation = 0
        self._loading = False
        """A load of ``job_id`` is running (one at a time: see :meth:`reload`)."""
        self._reload_again = False

        # header
        self.title = QLabel()
        self.title.setObjectName("detailTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_pill = QLabel()
        self.status_pill.setObjectName("pill")
        self.review_pill = QLabel()
        self.review_pill.setObjectName("reviewPill")
        self.review_pill.setStyleSheet(
            "background: #f5a623; color: #1d1d1d;"
            " border-radius: 9px; padding: 2px 10px; font-weight: 600;"
        )
        self.review_pill.hide()
        self.meta = QLabel()
        self.meta.setObjectName("muted")
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setIconSize(QSize(16, 16))
        for action in job_actions:
            bar.addAction(action)
        head_text = QVBoxLayout()
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addWidget(self.status_pill)
        title_row.addWidget(self.review_pill)
        title_row.addStretch(1)
        head_text.addLayout(title_row)
        head_text.addWidget(self.meta)
        header = QHBoxLayout()
        header.addLayout(head_text, 1)
        header.addWidget(bar, 0, Qt.AlignmentFlag.AlignVCenter)

        # items
        self.items = ItemListModel(resources.icon("info"), self, flag=resources.icon("warning"))
        self.items.modelReset.connect(self._update_review)
        self.items.review_count_changed.connect(lambda _n: self._update_review())
        self.item_view = QListView()
        self.item_view.setModel(self.items)
        self.item_view.setIconSize(THUMB_SIZE)
        self.item_view.setSpacing(2)
        self.item_view.setUniformItemSizes(True)
        self.item_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.item_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.item_view.setAccessibleName(self.tr("Items of the job"))
        self.item_view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.item_view.selectionModel().currentChanged.connect(self._current_changed)
        self.thumbnails = ThumbnailLoader(runner, context, self)
        self.thumbnails.loaded.connect(self.items.set_thumbnails)
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setSingleShot(True)
        self._thumb_timer.setInterval(THUMB_DELAY_MS)
        self._thumb_timer.timeout.connect(self._request_thumbnails)
        self._thumb_rows = range(0)
        # (not timer.start itself: valueChanged's int would become the interval)
        self.items.modelReset.connect(self._schedule_thumbnails)
        item_bar = self.item_view.verticalScrollBar()
        item_bar.valueChanged.connect(self._schedule_thumbnails)
        item_bar.rangeChanged.connect(self._schedule_thumbnails)

        # image
        self.viewer = ImageViewer()
        zoom_bar = QHBoxLayout()
        zoom_bar.setContentsMargins(0, 0, 0, 0)
        for icon, tip, slot in (
            ("zoom-out", self.tr("Zoom out (Ctrl+-)"), self.viewer.zoom_out),
            ("zoom-in", self.tr("Zoom in (Ctrl++)"), self.viewer.zoom_in),
            ("zoom-fit", self.tr("Fit to window (Ctrl+0)"), self.viewer.zoom_fit),
        ):
            b = QToolButton()
            b.setIcon(resources.icon(icon))
            b.setToolTip(tip)
            b.setAccessibleName(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            zoom_bar.addWidget(b)
        self.boxes_button = QToolButton()
        self.boxes_button.setIcon(resources.icon("boxes"))
        self.boxes_button.setText(self.tr("Word boxes"))
        self.boxes_button.setToolTip(
            self.tr("Show the recognised words' boxes; low-confidence words are orange")
        )
        self.boxes_button.setAccessibleName(self.tr("Show word boxes"))
        self.boxes_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.boxes_button.setAutoRaise(True)
        self.boxes_button.setCheckable(True)
        self.boxes_button.setChecked(self.viewer.boxes_visible)
        self.boxes_button.setEnabled(False)
        self.boxes_button.toggled.connect(self.viewer.set_boxes_visible)
        self.viewer.boxes_changed.connect(lambda n: self.boxes_button.setEnabled(n > 0))
        zoom_bar.addWidget(self.boxes_button)
        zoom_bar.addStretch(1)
        self.image_caption = QLabel()
        self.image_caption.setObjectName("muted")
        zoom_bar.addWidget(self.image_caption)
        image_box = QWidget()
        ib = QVBoxLayout(image_box)
        ib.setContentsMargins(0, 0, 0, 0)
        ib.addLayout(zoom_bar)
        ib.addWidget(self.viewer, 1)

        # text
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAcceptDrops(False)
        self.text.setAccessibleName(self.tr("Recognised text"))
        self.text.setPlaceholderText(self.tr("The recognised text appears here."))
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.copy_button = QToolButton()
        self.copy_button.setIcon(resources.icon("copy"))
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.copy_button.setAutoRaise(True)
        self.copy_button.setAccessibleName(self.tr("Copy text"))
        self.copy_button.clicked.connect(self.copy_text)
        self.save_button = QToolButton()
        self.save_button.setIcon(resources.icon("save"))
        self.save_button.setText(self.tr("Save as .txt…"))
        self.save_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.save_button.setAutoRaise(True)
        self.save_button.setAccessibleName(self.tr("Save text as file"))
        self.save_button.clicked.connect(self.save_text_dialog)
        text_bar = QHBoxLayout()
        text_bar.setContentsMargins(0, 0, 0, 0)
        self.text_caption = QLabel(self.tr("Text"))
        self.text_caption.setObjectName("sectionTitle")
        text_bar.addWidget(self.text_caption)
        text_bar.addStretch(1)
        text_bar.addWidget(self.copy_button)
        text_bar.addWidget(self.save_button)
        text_box = QWidget()
        tb = QVBoxLayout(text_box)
        tb.setContentsMargins(0, 0, 0, 0)
        tb.addLayout(text_bar)
        tb.addWidget(self.text, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.item_view)
        self.splitter.addWidget(image_box)
        self.splitter.addWidget(text_box)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([260, 420, 420])

        body = QWidget()
        bl = QVBoxLayout(body)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addLayout(header)
        bl.addWidget(self.splitter, 1)

        self.empty = QLabel(self.tr("Select a job to see its items and text."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("placeholder")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        frame = QFrame()
        frame.setObjectName("detail")
        fl = QVBoxLayout(frame)
        fl.setContentsMargins(12, 10, 12, 10)
        fl.addWidget(self.stack)
        outer.addWidget(frame)
        self._update_text_buttons()

    # -- loading --------------------------------------------------------------------------

    def show_job(self, job_id: UUID | None) -> None:
        """Load and show a job (``None`` clears the panel)."""
        self._generation += 1
        self._loading = self._reload_again = False
        self.thumbnails.cancel()
        self._thumb_rows = range(0)
        if job_id != self.job_id:
            self._images.clear()
        self.job_id = job_id
        if job_id is None:
            self.detail = None
            self.items.set_items([])
            self.stack.setCurrentWidget(self.empty)
            return
        self.reload()

    def reload(self) -> None:
        """Fetch the shown job again; while a fetch runs, once more after it.

        Never two at once: their results could land in either order (the older one
        last), and a poll arriving while a job's first load runs (its rows not shown
        yet) would otherwise start a second full load and a second model reset.
        """
        ctx, job_id = self._context(), self.job_id
        if ctx is None or job_id is None:
            return
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        generation = self._generation
        base = self.detail if self.detail is not None and self.detail.job.id == job_id else None
        self._runner.run(
            lambda: load_job(ctx, job_id, base),
            on_done=lambda d: self._loaded(generation, d),
            on_error=lambda e: self._load_failed(generation, e),
            label=f"get_job {job_id}",
        )

    def _load_ended(self) -> None:
        self._loading = False
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._reload_again = False  # no retry loop while the backend fails
            self._load_ended()
            self.failed.emit(exc)

    def _loaded(self, generation: int, loaded: LoadedJob) -> None:
        if generation != self._generation:
            return
        try:
            self._apply_loaded(loaded)
        finally:
            self._load_ended()

    def _apply_loaded(self, loaded: LoadedJob) -> None:
        detail = loaded.detail
        if detail.job.id != self.job_id:
            return
        current = self.current_item()
        same_rows = loaded.rows is None and loaded.base is self.detail
        self.detail = detail
        self._show_header(JobSummary(detail.job, detail.counts))
        if same_rows:
            self.items.update(loaded.changed)
        else:  # prepared on the task thread, unless another load came in between
            self.items.set_rows(loaded.rows or prepare_rows(detail.items))
        self.stack.setCurrentIndex(1)
        row = self.items.row_of(current.id) if current is not None else None
        if self._pending_item is not None and self.items.row_of(self._pending_item) is not None:
            row = self.items.row_of(self._pending_item)
            self._pending_item = None
        if row is None and self.items.rowCount() > 0:
            row = 0
        if row is not None:
            self.item_view.selectionModel().setCurrentIndex(
                self.items.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self._show_item(self.items.item(row))
        self.loaded.emit(detail)

    def _show_header(self, s: JobSummary) -> None:
        job, c = s.job, s.counts
        self.title.setText(job.name)
        labels = {
            JobStatus.PENDING: self.tr("Pending"),
            JobStatus.PROCESSING: self.tr("Processing"),
            JobStatus.DONE: self.tr("Done"),
            JobStatus.ERROR: self.tr("Error"),
            JobStatus.EXPIRED: self.tr("Expired"),
        }
        self.status_pill.setText(labels[job.status])
        self.status_pill.setStyleSheet(
            f"background: {STATUS_COLORS[job.status]}; color: white;"
            " border-radius: 9px; padding: 2px 10px; font-weight: 600;"
        )
        created = job.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        self.meta.setText(
            self.tr(
                "Created {created} · language {language} · {done} of {total} items done"
            ).format(created=created, language=job.language, done=c.done, total=c.total)
        )

    def _update_review(self) -> None:
        n = self.items.review_count()
        self.review_pill.setText(self.tr("%n item(s) need review", "", n))
        self.review_pill.setToolTip(
            self.tr("Items whose words were read with low confidence: check their text.")
        )
        self.review_pill.setVisible(n > 0)

    def select_item(self, item_id: UUID) -> None:
        """Make ``item_id`` the current item now, or once its job has loaded."""
        row = self.items.row_of(item_id)
        if row is None:
            self._pending_item = item_id
            return
        self._pending_item = None
        self.item_view.selectionModel().setCurrentIndex(
            self.items.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.item_view.scrollTo(self.items.index(row, 0))

    def apply_summary(self, s: JobSummary) -> None:
        """A poll saw the job change: refresh the header now, the items via the poll's items."""
        if s.id == self.job_id and self.detail is not None:
            self._show_header(s)

    def apply_items(self, job_id: UUID, items: Sequence[JobItem]) -> None:
        """Replace changed items in place; the selection and scroll position stay."""
        if job_id != self.job_id or self.detail is None:
            return
        if any(self.items.row_of(i.id) is None for i in items):
            self.reload()
            return
        changed = self.items.update(items)
        current = self.current_item()
        if current is not None and any(i.id == current.id for i in changed):
            self._show_text(current)
            view = self._images.get(current.id)
            if view is None or view.status is not current.status:
                self._show_image(current)

    # -- items ----------------------------------------------------------------------------

    def current_item(self) -> JobItem | None:
        return self.items.item(self.item_view.currentIndex().row())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_item(self.items.item(current.row()))

    def _show_item(self, item: JobItem | None) -> None:
        if item is None:
            self.viewer.show_note(self.tr("Select an item to see its image"))
            self.text.setPlainText("")
            self._update_text_buttons()
            return
        self._show_text(item)
        self.image_caption.setText(f"{item.original_name} · {item.size_bytes / 1024:.0f} KB")
        self._show_image(item)

    def _show_image(self, item: JobItem) -> None:
        view = self._images.get(item.id)
        if view is not None and view.status is item.status:
            self._present(view)
            return
        if item.content_type.endswith("pdf"):
            self.viewer.show_note(self.tr("No preview for PDF pages"))
            return
        if view is None:
            self.viewer.show_note(self.tr("Loading image…"))
        ctx, key, item_id, generation = self._context(), item.s3_key, item.id, self._generation
        if ctx is None:
            return
        self._runner.run(
            lambda: load_view(ctx, item),
            on_done=lambda v: self._image_loaded(generation, item_id, v),
            on_error=lambda exc: self._image_failed(generation, item_id, exc),
            label=f"image {key}",
        )

    def _present(self, view: ItemView) -> None:
        if view.image.isNull():
            self.viewer.show_note(self.tr("This image cannot be previewed"))
        else:
            self.viewer.set_image(view.image, view.words)

    def _image_loaded(self, generation: int, item_id: UUID, view: ItemView) -> None:
        if generation != self._generation:
            return
        if len(self._images) >= IMAGE_CACHE:
            self._images.pop(next(iter(self._images)))
        self._images[item_id] = view
        if view.words is not None:
            self.items.set_words_review(item_id, view.words.needs_review)
        current = self.current_item()
        if current is not None and current.id == item_id:
            self._present(view)

    def _image_failed(self, generation: int, item_id: UUID, exc: BaseException) -> None:
        current = self.current_item()
        if generation == self._generation and current is not None and current.id == item_id:
            message = getattr(exc, "message", None) or str(exc)
            self.viewer.show_note(self.tr("Image unavailable: {reason}").format(reason=message))

    def _visible_rows(self) -> range:
        """The rows on screen (probing two points: one may fall between two rows)."""
        view, n = self.item_view, self.items.rowCount()
        if n == 0:
            return range(0)
        area = view.viewport().rect()
        x = area.center().x()

        def row_at(ys: tuple[int, ...], default: int) -> int:
            for y in ys:
                index = view.indexAt(QPoint(x, y))
                if index.isValid():
                    return index.row()
            return default

        first = row_at((area.top() + 4, area.top() + 12), 0)
        last = row_at((area.bottom() - 4, area.bottom() - 12), n - 1)
        return range(first, max(first, last) + 1)

    @property
    def thumbnails_settling(self) -> bool:
        """Thumbnails of the rows on screen are scheduled or being decoded."""
        return self._thumb_timer.isActive() or self.thumbnails.busy

    def _schedule_thumbnails(self, *_args: object) -> None:
        self._thumb_timer.start()

    def _request_thumbnails(self) -> None:
        """Decode the thumbnails missing on screen, then a page below and above it."""
        shown = self._visible_rows()
        if not shown:
            return
        page = len(shown)
        rows = range(max(0, shown.start - page), min(self.items.rowCount(), shown.stop + page))
        if rows == self._thumb_rows and self.thumbnails.busy:
            return
        self._thumb_rows = rows
        order = [*shown, *range(shown.stop, rows.stop), *range(shown.start - 1, rows.start - 1, -1)]
        todo = [
            it
            for it in (self.items.item(r) for r in order)
            if it is not None and not self.items.has_thumbnail(it.id)
        ]
        if todo:
            self.thumbnails.request(todo)

    # -- text -----------------------------------------------------------------------------

    def _show_text(self, item: JobItem) -> None:
        if item.status is ItemStatus.DONE:
            text = item.ocr_text or ""
            self.text.setPlaceholderText(self.tr("No text was found in this image."))
        elif item.status is ItemStatus.ERROR:
            text = ""
            self.text.setPlaceholderText(
                self.tr("Failed: {error}").format(error=item.error_msg or item.error_code or "?")
            )
        else:
            text = ""
            self.text.setPlaceholderText(self.tr("Waiting for the OCR worker…"))
        if text != self.text.toPlainText():
            bar = self.text.verticalScrollBar()
            pos = bar.value()
            self.text.setPlainText(text)
            bar.setValue(pos)
        self._update_text_buttons()

    def _update_text_buttons(self) -> None:
        has = bool(self.text.toPlainText())
        self.copy_button.setEnabled(has)
        self.save_button.setEnabled(has)

    def selected_text(self) -> str:
        cursor = self.text.textCursor()
        return cursor.selectedText().replace("\u2029", "\n") or self.text.toPlainText()

    def copy_text(self) -> None:
        """Copy the selection, or all of the item's text."""
        QGuiApplication.clipboard().setText(self.selected_text())

    def save_text_dialog(self) -> None:
        item = self.current_item()
        stem = Path(item.original_name).stem if item else "text"
        dialog = QFileDialog(self, self.tr("Save text"), f"{stem}.txt", self.tr("Text (*.txt)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("txt")
        dialog.fileSelected.connect(self.save_text)
        dialog.open()

    def save_text(self, path: str) -> None:
        """Write the item's text as UTF-8 (a local file, in the background)."""
        text = self.text.toPlainText()
        self._runner.run(
            lambda: Path(path).write_text(text, encoding="utf-8"),
            on_done=lambda _r: self.text_saved.emit(path),
            label="save text",
        )

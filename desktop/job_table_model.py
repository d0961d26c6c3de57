"""The job list as a Qt model: plain ``JobSummary`` rows, fetched page by page off the UI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any
from uuid import UUID

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from desktop.item_model import REVIEW_COLOR
from desktop.tasks import TaskRunner
from ocrjobs.domain.model import JobPage, JobSummary
from ocrjobs.domain.status import JobStatus
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

PAGE_SIZE = 200
AnyIndex = QModelIndex | QPersistentModelIndex

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's ``JobSummary``."""
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 2
"""``(done, failed, expired, processing, total)`` for the progress delegate."""
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
"""The job's ``JobStatus``."""

STATUS_COLORS: dict[JobStatus, str] = {
    JobStatus.PENDING: "#8a94a6",
    JobStatus.PROCESSING: "#2f7de1",
    JobStatus.DONE: "#1f9d55",
    JobStatus.ERROR: "#d64545",
    JobStatus.EXPIRED: "#c7851a",
}
FINISHED = frozenset({JobStatus.DONE, JobStatus.ERROR, JobStatus.EXPIRED})


class Column(IntEnum):
    NAME = 0
    CREATED = 1
    STATUS = 2
    PROGRESS = 3
    ITEMS = 4
    DURATION = 5


SORT_KEYS: dict[tuple[Column, Qt.SortOrder], str] = {
    (Column.NAME, Qt.SortOrder.AscendingOrder): "name",
    (Column.NAME, Qt.SortOrder.DescendingOrder): "name",
    (Column.CREATED, Qt.SortOrder.AscendingOrder): "created_asc",
    (Column.CREATED, Qt.SortOrder.DescendingOrder): "created_desc",
    (Column.STATUS, Qt.SortOrder.AscendingOrder): "status",
    (Column.STATUS, Qt.SortOrder.DescendingOrder): "status",
}


def format_duration(seconds: float) -> str:
    """``42s``, ``3m 05s``, ``2h 07m``."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


class JobTableModel(QAbstractTableModel):
    """Jobs with counts, newest first by default, loaded lazily ``PAGE_SIZE`` rows at a time.

    ``fetchMore`` asks the :class:`TaskRunner` for the next page; the rows arrive on the UI
    thread. :meth:`apply_changes` replaces rows in place by id (what the poller calls), so
    selection and scroll position survive updates.
    """

    load_failed = Signal(object)
    """A page could not be loaded: the exception."""
    loading_changed = Signal(bool)
    total_changed = Signal(int)
    rename_requested = Signal(object, str)
    """Inline edit of a name: ``(job_id, new_name)``; the row changes once the rename is saved."""

    def __init__(
        self,
        runner: TaskRunner,
        context: Callable[[], Context | None],
        parent: QObject | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._context = context
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rows: list[JobSummary] = []
        self._row_of: dict[UUID, int] = {}
        self._total = 0
        self._pages_loaded = 0
        self._loading = False
        self._generation = 0
        self.status_filter: JobStatus | None = None
        self.search = ""
        self.sort_key = "created_desc"

    # -- query ---------------------------------------------------------------------------

    def set_query(
        self, *, status: JobStatus | None = None, search: str = "", sort_key: str | None = None
    ) -> None:
        """Change filter/search/sort and reload from the first page."""
        self.status_filter = status
        self.search = search.strip()
        if sort_key is not None:
            self.sort_key = sort_key
        self.reload()

    def reload(self) -> None:
        """Drop every row and fetch the first page again."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._row_of = {}
        self._total = 0
        self._pages_loaded = 0
        self._loading = False
        self.endResetModel()
        self._request_page(1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get((Column(column), order))
        if key is not None and key != self.sort_key:
            self.sort_key = key
            self.reload()

    def _request_page(self, page: int) -> None:
        ctx = self._context()
        if ctx is None or self._loading:
            return
        self._loading = True
        self.loading_changed.emit(True)
        generation = self._generation
        status, search, sort = self.status_filter, self.search or None, self.sort_key

        def load() -> JobPage:
            return job_service.list_jobs(ctx, page, PAGE_SIZE, status, search, sort)

        self._runner.run(
            load,
            on_done=lambda result: self._page_loaded(generation, result),
            on_error=lambda exc: self._page_failed(generation, exc),
            label=f"list_jobs page {page}",
        )

    def _page_loaded(self, generation: int, page: JobPage) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.loading_changed.emit(False)
        self._pages_loaded = page.page
        fresh = [s for s in page.jobs if s.id not in self._row_of]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            for s in fresh:
                self._row_of[s.id] = len(self._rows)
                self._rows.append(s)
            self.endInsertRows()
        if page.total != self._total:
            self._total = page.total
            self.total_changed.emit(page.total)

    def _page_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.loading_changed.emit(False)
        self.load_failed.emit(exc)

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def total(self) -> int:
        return self._total

    # -- lazy fetching ----------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        if parent.isValid() or self._loading or self._pages_loaded == 0:
            return False
        return len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if not parent.isValid():
            self._request_page(self._pages_loaded + 1)

    # -- live updates -----------------------------------------------------------------------

    def apply_changes(self, summaries: Iterable[JobSummary]) -> list[JobSummary]:
        """Replace known rows in place; insert new jobs on top when sorted newest first.

        Returns the summaries that were applied (known or inserted).
        """
        applied: list[JobSummary] = []
        new: list[JobSummary] = []
        for s in summaries:
            row = self._row_of.get(s.id)
            if row is not None:
                self._rows[row] = s
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1), [])
                applied.append(s)
            elif self._accepts(s):
                new.append(s)
        if new and self.sort_key == "created_desc" and self._pages_loaded:
            new.sort(key=lambda s: s.job.created_at, reverse=True)
            newest = self._rows[0].job.created_at if self._rows else None
            on_top = [s for s in new if newest is None or s.job.created_at >= newest]
            if on_top:
                self.beginInsertRows(QModelIndex(), 0, len(on_top) - 1)
                self._rows[0:0] = on_top
                self._reindex()
                self.endInsertRows()
                self._total += len(on_top)
                self.total_changed.emit(self._total)
                applied.extend(on_top)
        return applied

    def _accepts(self, s: JobSummary) -> bool:
        if self.status_filter is not None and s.job.status is not self.status_filter:
            return False
        return not self.search or self.search.lower() in s.job.name.lower()

    def remove_job(self, job_id: UUID) -> bool:
        row = self._row_of.get(job_id)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._reindex()
        self.endRemoveRows()
        self._total = max(0, self._total - 1)
        self.total_changed.emit(self._total)
        return True

    def _reindex(self) -> None:
        self._row_of = {s.id: i for i, s in enumerate(self._rows)}

    def summary(self, row: int) -> JobSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, job_id: UUID) -> int | None:
        return self._row_of.get(job_id)

    def summaries(self) -> list[JobSummary]:
        return list(self._rows)

    # -- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers()[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (
            Column.ITEMS,
            Column.DURATION,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _headers(self) -> list[str]:
        return [
            self.tr("Name"),
            self.tr("Created"),
            self.tr("Status"),
            self.tr("Progress"),
            self.tr("Items"),
            self.tr("Duration"),
        ]

    def status_text(self, status: JobStatus) -> str:
        return {
            JobStatus.PENDING: self.tr("Pending"),
            JobStatus.PROCESSING: self.tr("Processing"),
            JobStatus.DONE: self.tr("Done"),
            JobStatus.ERROR: self.tr("Error"),
            JobStatus.EXPIRED: self.tr("Expired"),
        }[status]

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == Column.NAME:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(  # noqa: N802
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if (
            not index.isValid()
            or index.column() != Column.NAME
            or role != Qt.ItemDataRole.EditRole
            or not 0 <= index.row() < len(self._rows)
        ):
            return False
        name = " ".join(str(value).split())
        s = self._rows[index.row()]
        if name and name != s.job.name:
            self.rename_requested.emit(s.id, name)
        return False

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        col = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._display(s, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(s, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.STATUS:
            return QColor(STATUS_COLORS[s.job.status])
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.ITEMS and s.counts.review:
            return QColor(REVIEW_COLOR)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.ITEMS, Column.DURATION):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SUMMARY_ROLE:
            return s
        if role == STATUS_ROLE:
            return s.job.status
        if role == PROGRESS_ROLE:
            c = s.counts
            return (c.done, c.error - c.expired, c.expired, c.processing, c.total)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._display(s, col)
            return text if col != Column.PROGRESS else self._tooltip(s, col)
        return None

    def _display(self, s: JobSummary, col: Column) -> str:
        job, c = s.job, s.counts
        if col == Column.NAME:
            return job.name
        if col == Column.CREATED:
            local = job.created_at.astimezone()
            return local.strftime("%Y-%m-%d %H:%M")
        if col == Column.STATUS:
            return self.status_text(job.status)
        if col == Column.PROGRESS:
            return f"{c.finished}/{c.total}"
        if col == Column.ITEMS:
            return self._counts_text(s)
        end = job.finished_at if job.status in FINISHED and job.finished_at else None
        if end is None and job.status in FINISHED:
            end = job.updated_at
        return format_duration(((end or self._clock()) - job.created_at).total_seconds())

    def _counts_text(self, s: JobSummary) -> str:
        c = s.counts
        parts = [self.tr("%n done", "", c.done)]
        if c.processing:
            parts.append(self.tr("%n running", "", c.processing))
        if c.pending:
            parts.append(self.tr("%n waiting", "", c.pending))
        failed = c.error - c.expired
        if failed:
            parts.append(self.tr("%n failed", "", failed))
        if c.expired:
            parts.append(self.tr("%n expired", "", c.expired))
        if c.review:
            parts.append(self.tr("⚑ %n to review", "", c.review))
        return " · ".join(parts)

    def _tooltip(self, s: JobSummary, col: Column) -> str:
        c = s.counts
        if col in (Column.PROGRESS, Column.ITEMS):
            return self.tr(
                "{done} done, {processing} processing, {pending} pending, {error} failed "
                "({expired} expired) of {total}"
            ).format(
                done=c.done,
                processing=c.processing,
                pending=c.pending,
                error=c.error,
                expired=c.expired,
                total=c.total,
            )
        if col == Column.NAME:
            return f"{s.job.name}\n{s.job.id}"
        return self._display(s, col)

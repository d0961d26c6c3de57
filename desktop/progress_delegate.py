"""Paints a job's progress as a segmented bar: done, failed and running items of the total."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.job_table_model import PROGRESS_ROLE

DONE = QColor("#1f9d55")
FAILED = QColor("#d64545")
RUNNING = QColor("#2f7de1")
EXPIRED = QColor("#d99a2b")


class ProgressDelegate(QStyledItemDelegate):
    """A rounded bar: green done, red failed, amber expired, blue running; the percentage."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        value = index.data(PROGRESS_ROLE)
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            # Background and selection as the view would draw them, without the text.
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not isinstance(value, tuple):
            return
        done, failed, expired, running, total = value
        rect = QRectF(option.rect).adjusted(8, 0, -8, 0)
        bar_h = 8.0
        text_w = 58.0
        bar = QRectF(rect.left(), rect.center().y() - bar_h / 2, rect.width() - text_w, bar_h)
        palette: QPalette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        clip = QPainterPath()
        clip.addRoundedRect(bar, bar_h / 2, bar_h / 2)
        track = QColor(palette.color(QPalette.ColorRole.Mid))
        track.setAlpha(90)
        painter.fillPath(clip, track)
        if total > 0 and bar.width() > 0:
            painter.setClipPath(clip)
            x = bar.left()
            segments = ((done, DONE), (failed, FAILED), (expired, EXPIRED), (running, RUNNING))
            for count, color in segments:
                w = bar.width() * count / total
                if w > 0:
                    painter.fillRect(QRectF(x, bar.top(), w, bar_h), color)
                    x += w
            painter.setClipping(False)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        text_rect = QRectF(bar.right() + 6, rect.top(), text_w - 6, rect.height())
        pct = 100 * (done + failed + expired) // total if total else 0
        painter.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"{pct}%"
        )
        painter.restore()

"""Word boxes drawn over the image in the viewer; low-confidence words in a warning colour."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ocrjobs.domain.words import LOW_CONFIDENCE, PageWords, WordBox

BOX_COLOR = QColor(47, 125, 225)
LOW_COLOR = QColor(230, 126, 34)


class WordBoxesItem(QGraphicsItem):
    """One item painting every word box (thousands of rect items would be slow).

    Boxes are in the coordinates of the OCRed page (``PageWords.width`` × ``height``);
    they are scaled to the shown image, which the viewer has already turned by
    ``PageWords.rotate``. Hovering a box shows its word and confidence as a tooltip.
    """

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._words: tuple[WordBox, ...] = ()
        self._rects: list[QRectF] = []
        self._bounds = QRectF()
        self.setAcceptHoverEvents(True)
        self.setZValue(1)

    def set_words(self, words: PageWords | None, image_width: int, image_height: int) -> None:
        """Show ``words`` over an image of the given size (``None`` clears the boxes)."""
        self.prepareGeometryChange()
        self._bounds = QRectF(0, 0, image_width, image_height)
        if words is None or not words.words or words.width <= 0 or words.height <= 0:
            self._words, self._rects = (), []
        else:
            sx, sy = image_width / words.width, image_height / words.height
            self._words = words.words
            self._rects = [QRectF(w.x * sx, w.y * sy, w.w * sx, w.h * sy) for w in words.words]
        self.setToolTip("")
        self.update()

    @property
    def count(self) -> int:
        """How many boxes are drawn."""
        return len(self._rects)

    @property
    def low_count(self) -> int:
        """How many of them are low-confidence words."""
        return sum(1 for w in self._words if w.conf < LOW_CONFIDENCE)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,  # noqa: ARG002
        widget: QWidget | None = None,  # noqa: ARG002
    ) -> None:
        if not self._rects:
            return
        normal = QPen(BOX_COLOR, 0)  # cosmetic: one pixel wide at every zoom
        low = QPen(LOW_COLOR, 0)
        low_fill = QBrush(QColor(LOW_COLOR.red(), LOW_COLOR.green(), LOW_COLOR.blue(), 70))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(normal)
        for word, rect in zip(self._words, self._rects, strict=True):
            if word.conf >= LOW_CONFIDENCE:
                painter.drawRect(rect)
        painter.setPen(low)
        painter.setBrush(low_fill)
        for word, rect in zip(self._words, self._rects, strict=True):
            if word.conf < LOW_CONFIDENCE:
                painter.drawRect(rect)

    def word_at(self, pos: QPointF) -> WordBox | None:
        """The word whose box holds ``pos`` (item coordinates), if any."""
        for word, rect in zip(self._words, self._rects, strict=True):
            if rect.contains(pos):
                return word
        return None

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        word = self.word_at(event.pos())
        self.setToolTip(f"{word.text} — {word.conf:.0f}%" if word is not None else "")
        super().hoverMoveEvent(event)

"""Shows one item's image: fit to the view, zoom in/out (buttons, Ctrl+wheel), pan.

Word boxes (:class:`~desktop.word_overlay.WordBoxesItem`) can be laid over the image; the
image given with them must already be turned by ``PageWords.rotate`` (see :func:`turned`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap, QResizeEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsTextItem,
    QGraphicsView,
    QWidget,
)

from desktop.word_overlay import WordBoxesItem
from ocrjobs.domain.words import PageWords

ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.05, 16.0


def turned(image: QImage, rotate: int) -> QImage:
    """The stored image turned clockwise by ``rotate`` degrees, as the worker OCRed it.

    Pure pixel work (no EXIF handling: the worker's boxes refer to the raw stored pixels
    turned by ``rotate``, like :mod:`ocrjobs.services.searchable_pdf`); safe off the UI thread.
    """
    if image.isNull() or rotate % 360 == 0:
        return image
    # Qt's y axis points down, so a positive angle turns clockwise on screen.
    return image.transformed(QTransform().rotate(rotate % 360))


class ImageViewer(QGraphicsView):
    """Fit mode follows the view's size until the user zooms."""

    boxes_changed = Signal(int)
    """How many word boxes the shown image has (0: none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Image preview"))
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._pixmap)
        self.boxes = WordBoxesItem(self._pixmap)
        self._boxes_wanted = True
        self._note = QGraphicsTextItem()
        self._scene.addItem(self._note)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAcceptDrops(False)
        self.fit = True
        self.show_note(self.tr("Select an item to see its image"))

    def set_image(self, image: QImage, words: PageWords | None = None) -> None:
        """Show ``image`` (already turned by ``words.rotate``) with ``words`` boxed over it."""
        self._note.hide()
        self._pixmap.setPixmap(QPixmap.fromImage(image))
        self._pixmap.show()
        self.set_words(words)
        self._scene.setSceneRect(self._pixmap.boundingRect())
        self.fit = True
        self._apply_fit()

    def set_words(self, words: PageWords | None) -> None:
        """Replace the boxes over the shown image (``None`` removes them)."""
        size = self._pixmap.pixmap().size()
        self.boxes.set_words(words, size.width(), size.height())
        self.boxes.setVisible(self._boxes_wanted)
        self.boxes_changed.emit(self.boxes.count)

    @property
    def boxes_visible(self) -> bool:
        """Whether the boxes are drawn (the user's toggle; on by default)."""
        return self._boxes_wanted

    def set_boxes_visible(self, on: bool) -> None:
        self._boxes_wanted = on
        self.boxes.setVisible(on)

    def show_note(self, text: str) -> None:
        self._pixmap.setPixmap(QPixmap())
        self._pixmap.hide()
        self.set_words(None)
        self._note.setPlainText(text)
        self._note.setDefaultTextColor(self.palette().placeholderText().color())
        self._note.show()
        self._scene.setSceneRect(self._note.boundingRect())
        self.resetTransform()

    @property
    def has_image(self) -> bool:
        return self._pixmap.isVisible() and not self._pixmap.pixmap().isNull()

    @property
    def scale_factor(self) -> float:
        return float(self.transform().m11())

    def zoom_in(self) -> None:
        self._zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / ZOOM_STEP)

    def zoom_fit(self) -> None:
        self.fit = True
        self._apply_fit()

    def zoom_actual(self) -> None:
        self.fit = False
        self.resetTransform()

    def _zoom(self, factor: float) -> None:
        if not self.has_image:
            return
        new = self.scale_factor * factor
        if MIN_SCALE <= new <= MAX_SCALE:
            self.fit = False
            self.scale(factor, factor)

    def _apply_fit(self) -> None:
        if self.has_image:
            self.fitInView(self._pixmap, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.fit:
            self._apply_fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._zoom(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            event.accept()
        else:
            super().wheelEvent(event)

"""Shows one item's image: fit to the view, zoom in/out (buttons, Ctrl+wheel), pan."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsTextItem,
    QGraphicsView,
    QWidget,
)

ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.05, 16.0


class ImageViewer(QGraphicsView):
    """Fit mode follows the view's size until the user zooms."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Image preview"))
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._pixmap)
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

    def set_image(self, image: QImage) -> None:
        self._note.hide()
        self._pixmap.setPixmap(QPixmap.fromImage(image))
        self._pixmap.show()
        self._scene.setSceneRect(self._pixmap.boundingRect())
        self.fit = True
        self._apply_fit()

    def show_note(self, text: str) -> None:
        self._pixmap.setPixmap(QPixmap())
        self._pixmap.hide()
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

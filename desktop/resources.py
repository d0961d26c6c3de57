"""Resources: icons, the style sheet and translations, compiled into ``resources/ocrjobs.rcc``.

:func:`resource_path` is the one way to find a file of ``resources/`` both from a source
checkout and from a PyInstaller bundle (``sys._MEIPASS``). The binary ``.rcc`` is built
from ``resources/ocrjobs.qrc`` with ``pyside6-rcc --binary``; run
``python -m desktop.resources`` after changing an icon, the style sheet or a translation
(it also runs ``pyside6-lupdate`` and ``pyside6-lrelease``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QFile, QIODevice, QResource
from PySide6.QtGui import QIcon, QPixmap

RCC_FILE = "ocrjobs.rcc"
QRC_FILE = "ocrjobs.qrc"
TS_FILE = "translations/ocrjobs_pt_BR.ts"
QM_FILE = "translations/ocrjobs_pt_BR.qm"


def resource_path(relative: str) -> Path:
    """Absolute path of ``resources/<relative>`` in a frozen bundle or a source checkout."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    base = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return base / "resources" / relative


ICON_STROKE = "#5b6776"
"""The stroke colour the line icons are drawn with (recoloured for dark palettes)."""


class Resources:
    """Registers the compiled resources once per process and hands out icons and text."""

    def __init__(self) -> None:
        path = resource_path(RCC_FILE)
        self.loaded = QResource.registerResource(str(path))
        if not self.loaded:
            raise FileNotFoundError(f"cannot load Qt resources from {path}")
        self.icon_color = ICON_STROKE
        self._icons: dict[tuple[str, str], QIcon] = {}

    def icon(self, name: str) -> QIcon:
        """An icon from ``resources/icons/<name>.svg``, in :attr:`icon_color`."""
        if self.icon_color == ICON_STROKE:
            return QIcon(f":/icons/{name}.svg")
        key = (name, self.icon_color)
        cached = self._icons.get(key)
        if cached is None:
            svg = self.text(f"icons/{name}.svg").replace(ICON_STROKE, self.icon_color)
            pixmap = QPixmap()
            # Rendered at 2x so toolbar icons stay sharp on high-DPI screens.
            pixmap.loadFromData(
                svg.replace('width="24" height="24"', 'width="48" height="48"').encode()
            )
            cached = QIcon(pixmap)
            self._icons[key] = cached
        return cached

    def text(self, name: str) -> str:
        """A text resource such as ``style.qss``."""
        f = QFile(f":/{name}")
        if not f.open(QIODevice.OpenModeFlag.ReadOnly):
            return ""
        try:
            return bytes(f.readAll().data()).decode("utf-8")
        finally:
            f.close()

    def unload(self) -> None:
        if self.loaded:
            QResource.unregisterResource(str(resource_path(RCC_FILE)))
            self.loaded = False


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).parent / name)


def build() -> None:
    """Update the .ts from the sources, compile it to .qm, compile the .qrc to the .rcc."""
    root = resource_path("")
    sources = sorted(str(p) for p in Path(__file__).resolve().parent.glob("*.py"))
    subprocess.run(
        [_tool("pyside6-lupdate"), *sources, "-no-obsolete", "-ts", str(root / TS_FILE)],
        check=True,
    )
    subprocess.run(
        [_tool("pyside6-lrelease"), str(root / TS_FILE), "-qm", str(root / QM_FILE)], check=True
    )
    subprocess.run(
        [_tool("pyside6-rcc"), "--binary", str(root / QRC_FILE), "-o", str(root / RCC_FILE)],
        check=True,
    )


if __name__ == "__main__":
    build()

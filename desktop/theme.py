"""Light and dark looks following the system colour scheme: Fusion, a palette, a style sheet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.resources import ICON_STROKE, Resources

LIGHT = {
    "window": "#f5f6f8",
    "base": "#ffffff",
    "alt": "#f8f9fb",
    "text": "#1d2430",
    "muted": "#6b7685",
    "border": "#dde1e7",
    "accent": "#2563eb",
    "accent_text": "#ffffff",
    "button": "#ffffff",
    "header": "#eef0f4",
    "banner_info": "#e8f0fe",
    "banner_warning": "#fff4e0",
    "banner_error": "#fdecec",
    "overlay": "rgba(37, 99, 235, 0.10)",
    "canvas": "#e8eaee",
    "local_bg": "#e6f4ea",
    "local_fg": "#1e7b3c",
    "aws_bg": "#fff1dc",
    "aws_fg": "#9a5b00",
}
DARK = {
    "window": "#1e2128",
    "base": "#16181d",
    "alt": "#1b1e24",
    "text": "#e4e7ec",
    "muted": "#98a2b3",
    "border": "#2e333d",
    "accent": "#4f8cff",
    "accent_text": "#ffffff",
    "button": "#262a33",
    "header": "#232730",
    "banner_info": "#1d2a44",
    "banner_warning": "#3a2f17",
    "banner_error": "#3d1f22",
    "overlay": "rgba(79, 140, 255, 0.16)",
    "canvas": "#0f1115",
    "local_bg": "#173d26",
    "local_fg": "#7ee2a0",
    "aws_bg": "#3f2d10",
    "aws_fg": "#f5c56b",
}


class Theme:
    """Applies the palette and style sheet now and whenever the system scheme changes."""

    def __init__(self, app: QApplication, resources: Resources, scheme: str = "") -> None:
        self.app = app
        self.resources = resources
        self.forced = scheme
        app.setStyle("Fusion")
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(lambda _s: self.apply())
        self.apply()

    @property
    def dark(self) -> bool:
        if self.forced:
            return self.forced == "dark"
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark

    def apply(self) -> None:
        colors = DARK if self.dark else LIGHT
        self.resources.icon_color = "#aab4c3" if self.dark else ICON_STROKE
        p = QPalette()
        role = QPalette.ColorRole
        p.setColor(role.Window, QColor(colors["window"]))
        p.setColor(role.WindowText, QColor(colors["text"]))
        p.setColor(role.Base, QColor(colors["base"]))
        p.setColor(role.AlternateBase, QColor(colors["alt"]))
        p.setColor(role.Text, QColor(colors["text"]))
        p.setColor(role.Button, QColor(colors["button"]))
        p.setColor(role.ButtonText, QColor(colors["text"]))
        p.setColor(role.Highlight, QColor(colors["accent"]))
        p.setColor(role.HighlightedText, QColor(colors["accent_text"]))
        p.setColor(role.ToolTipBase, QColor(colors["base"]))
        p.setColor(role.ToolTipText, QColor(colors["text"]))
        p.setColor(role.PlaceholderText, QColor(colors["muted"]))
        p.setColor(role.Mid, QColor(colors["border"]))
        p.setColor(role.Link, QColor(colors["accent"]))
        disabled = QPalette.ColorGroup.Disabled
        for r in (role.Text, role.ButtonText, role.WindowText):
            p.setColor(disabled, r, QColor(colors["muted"]))
        self.app.setPalette(p)
        qss = self.resources.text("style.qss")
        for key, value in colors.items():
            qss = qss.replace(f"@{key}@", value)
        self.app.setStyleSheet(qss)

"""Translations: the app's ``.qm`` (from resources/) plus Qt's own for dialogs' buttons."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

SUPPORTED = ("en", "pt_BR")


def pick_language(preferred: str, system: QLocale | None = None) -> str:
    """``preferred`` if set, else the system locale mapped to a supported language."""
    name = preferred or (system or QLocale.system()).name()
    if name.startswith("pt"):
        return "pt_BR"
    return "en"


def install_translator(app: QApplication, preferred: str = "") -> list[QTranslator]:
    """Install translators for the chosen language; returns them (keep them alive)."""
    language = pick_language(preferred)
    if language == "en":
        return []
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(f":/translations/ocrjobs_{language}.qm"):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("no translation for %s", language)
    qt = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{language}", path):
        app.installTranslator(qt)
        installed.append(qt)
    QLocale.setDefault(QLocale(language))
    return installed

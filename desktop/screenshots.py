"""Render the docs' screenshots offscreen: ``python -m desktop.screenshots [--out DIR]``.

Builds a throwaway SQLite database with in-memory S3/SQS/DynamoDB fakes, fills it with
jobs in every state (the worker's part is played through the core's processing
services, with word boxes laid out from the rendered text), and grabs the main window
(word boxes over the image), the detail view, the settings dialog and Find in text in
English and Brazilian Portuguese, light and dark. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSettings, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication

from desktop.backend import Backend, Mode
from desktop.i18n import install_translator
from desktop.main_window import MainWindow
from desktop.preferences import MemorySecrets, Preferences
from desktop.resources import Resources
from desktop.settings_dialog import SettingsDialog
from desktop.tasks import TaskRunner
from desktop.theme import Theme
from ocrjobs.adapters.database import make_engine
from ocrjobs.adapters.fakes import FakeAuditLog, FakeObjectStore, FakeQueue
from ocrjobs.adapters.messages import decode
from ocrjobs.adapters.migrate import upgrade
from ocrjobs.adapters.ports import QueueDepth
from ocrjobs.adapters.repository import UnitOfWork
from ocrjobs.config import Settings
from ocrjobs.domain.model import JobDetail, NamedBytes, Progress
from ocrjobs.domain.words import PageWords, WordBox
from ocrjobs.services import jobs as job_service
from ocrjobs.services import maintenance, processing
from ocrjobs.services.context import Context, utc_now
from ocrjobs.services.maintenance import CheckResult

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

INVOICE = [
    "ACME Office Supplies Ltd.",
    "Invoice No. 2024-0117",
    "Date: 14 March 2024",
    "",
    "12 x Printer paper A4, 500 sheets      54.00",
    " 4 x Toner cartridge, black           212.40",
    " 1 x Document scanner, duplex         389.90",
    "",
    "Subtotal                               656.30",
    "VAT 20%                                131.26",
    "Total due                              787.56",
    "",
    "Payment within 30 days. Thank you!",
]
CONTRATO = [
    "CONTRATO DE PRESTAÇÃO DE SERVIÇOS",
    "",
    "Pelo presente instrumento particular, as partes",
    "abaixo qualificadas têm entre si justo e contratado",
    "o seguinte: a CONTRATADA prestará serviços de",
    "digitalização e reconhecimento óptico de caracteres",
    "de documentos do acervo da CONTRATANTE, com prazo",
    "de entrega de trinta dias a contar da assinatura.",
    "",
    "São Paulo, 2 de abril de 2024.",
]
LETTER = [
    "Dear Ms. Carvalho,",
    "",
    "Thank you for your letter of 3 May. The scanned",
    "records you requested are attached; every page was",
    "checked against the original before filing.",
    "",
    "Kind regards,",
    "J. Whitfield, Records Office",
]


def render_page(lines: list[str], *, width: int = 900, height: int = 1150) -> bytes:
    """A white page with black text lines, as PNG bytes (a convincing scan)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#fbfbf8"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    font = QFont("DejaVu Sans Mono", 15)
    painter.setFont(font)
    painter.setPen(QColor("#222222"))
    y = 110
    for i, line in enumerate(lines):
        if i == 0:
            bold = QFont(font)
            bold.setBold(True)
            bold.setPointSize(19)
            painter.setFont(bold)
        painter.drawText(QRect(80, y, width - 160, 40), int(Qt.AlignmentFlag.AlignLeft), line)
        painter.setFont(font)
        y += 44 if i == 0 else 34
    painter.setPen(QColor("#c8c8c0"))
    painter.drawLine(80, height - 120, width - 80, height - 120)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # stub says bytes, runtime wants str
    buffer.close()
    return bytes(data.data())


def page_words(
    lines: list[str], *, low: Callable[[int], bool], width: int = 900, height: int = 1150
) -> PageWords:
    """Word boxes where :func:`render_page` drew the words; ``low(n)`` marks the n-th word
    as read with low confidence."""
    font = QFont("DejaVu Sans Mono", 15)
    bold = QFont(font)
    bold.setBold(True)
    bold.setPointSize(19)
    words: list[WordBox] = []
    y = 110
    for i, line in enumerate(lines):
        fm = QFontMetrics(bold if i == 0 else font)
        start = 0
        for word in line.split():
            at = line.index(word, start)
            start = at + len(word)
            n = len(words)
            conf = 41.0 if low(n) else 88.0 + n % 10
            x = 80 + fm.horizontalAdvance(line[:at])
            words.append(WordBox(x, y + 2, fm.horizontalAdvance(word), fm.height(), conf, word))
        y += 44 if i == 0 else 34
    return PageWords(width, height, 0, tuple(words))


@dataclass
class Demo:
    ctx: Context
    focus: UUID
    failed: UUID


def build_demo(data_dir: Path) -> Demo:
    """A database and fakes holding jobs in every state."""
    url = f"sqlite:///{data_dir / 'shots.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(database_url=url, data_dir=str(data_dir), actor="ana@scanner-01")
    dlq = FakeQueue("ocr-jobs-dlq")

    def uow(*, write: bool = False) -> UnitOfWork:
        return UnitOfWork(engine, write=write)

    ctx = Context(
        settings=settings,
        uow=uow,
        store=FakeObjectStore(settings.bucket),
        queue=FakeQueue("ocr-jobs", max_receive_count=5, dlq=dlq),
        dlq=dlq,
        audit=FakeAuditLog(),
    )
    ctx.close_hooks.append(engine.dispose)

    def create(name: str, pages: list[tuple[str, list[str]]], language: str = "eng") -> JobDetail:
        files = [NamedBytes(n, render_page(lines)) for n, lines in pages]
        result = job_service.create_job(ctx, name, files, language=language)
        assert result.job is not None
        return result.job

    def work(
        texts: Callable[[str], str | None],
        limit: int = 100,
        claim_only: int = 0,
        lines: list[str] | None = None,
        unsure: str = "",
    ) -> None:
        """Play the worker; with ``lines``, store word boxes too (``unsure``: a file name
        read with low confidence, for the review flags)."""
        for msg in ctx.queue.receive(10, 0)[:limit]:
            claim = processing.claim(ctx, decode(msg.body))
            if not isinstance(claim, processing.Claim):
                ctx.queue.delete(msg.receipt_handle)
                continue
            if claim_only > 0:
                claim_only -= 1
                continue
            text = texts(claim.item.original_name)
            if text is None:
                processing.fail(
                    ctx,
                    claim,
                    "UNREADABLE_IMAGE",
                    "image too blurred to read (mean confidence 12%)",
                )
            else:
                doubtful = claim.item.original_name == unsure
                words = (
                    page_words(
                        lines, low=(lambda n: n % 3 == 1) if doubtful else (lambda n: n == 9)
                    )
                    if lines is not None
                    else None
                )
                confidence = 52.7 if doubtful else 93.4
                processing.complete(ctx, claim, text, confidence=confidence, words=words)
            ctx.queue.delete(msg.receipt_handle)

    real_now = datetime.now(UTC)
    moment = [real_now]
    ctx.clock = lambda: moment[0]

    def at(minutes_ago: float) -> None:
        moment[0] = real_now - timedelta(minutes=minutes_ago)

    at(3 * 24 * 60 + 40)
    create("Archive 2019 — boxes 3–4", [(f"box3-{i:02d}.png", LETTER) for i in range(3)])
    at(0)
    maintenance.expire_jobs(ctx)
    work(lambda _n: None)  # drops the expired items' messages
    at(95)
    create("Delivery notes", [("note-01.png", INVOICE), ("note-02.png", INVOICE)])
    at(93.6)
    work(lambda n: "\n".join(INVOICE) if n.endswith("01.png") else None)
    at(48)
    create("Correspondence May", [("letter-carvalho.png", LETTER)])
    at(47.7)
    work(lambda _n: "\n".join(LETTER))
    at(31)
    focus = create(
        "Invoices March 2024",
        [(f"invoice-{i:02d}.png", INVOICE) for i in range(1, 6)],
    )
    at(29.4)
    work(lambda _n: "\n".join(INVOICE), lines=INVOICE, unsure="invoice-03.png")
    at(12)
    create(
        "Contratos abril",
        [(f"contrato-{i}.png", CONTRATO) for i in range(1, 5)],
        language="por",
    )
    at(9)
    work(lambda _n: "\n".join(CONTRATO), claim_only=1, limit=3)
    at(1)
    create("Receipts — week 18", [(f"receipt-{i}.png", INVOICE) for i in range(1, 9)])
    ctx.clock = utc_now
    failed = next(s.id for s in job_service.list_jobs(ctx).jobs if s.job.name == "Delivery notes")
    return Demo(ctx, focus.job.id, failed)


def settled(window: MainWindow, runner: TaskRunner) -> bool:
    """No background task left, and the detail view's thumbnails are in."""
    return runner.pending == 0 and not window.detail.thumbnails_settling


def wait(app: QApplication, cond: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError("screenshot scene did not settle")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def shoot(app: QApplication, resources: Resources, lang: str, dark: bool, out: Path) -> None:
    suffix = f"{lang}{'-dark' if dark else ''}"
    theme = Theme(app, resources, "dark" if dark else "light")
    translators = install_translator(app, lang)
    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(Path(tmp))
        prefs = Preferences(
            QSettings(str(Path(tmp) / "p.ini"), QSettings.Format.IniFormat), MemorySecrets()
        )
        runner = TaskRunner()
        backend = Backend(runner)
        window = MainWindow(resources, prefs, runner, backend)
        window.child_submissions = False  # the "local" backend here is in-memory fakes
        window.resize(1440, 900)
        window.show()
        backend.use(demo.ctx, Mode.LOCAL, ["eng", "por", "eng+por"])
        window.poller.stop()
        window.banner.hide()
        window.status.set_worker(window.tr("Worker running"))
        window.status.set_connection(True, "")
        window.status.set_depth(QueueDepth(visible=11, in_flight=1))
        window.status.set_rate(46.0)
        wait(app, lambda: window.model.rowCount() == 6)
        window.select_job(demo.focus)
        wait(app, lambda: window.detail.items.rowCount() == 5)
        wait(app, lambda: window.detail.viewer.has_image)
        wait(app, lambda: window.detail.viewer.boxes.count > 0)
        wait(app, lambda: settled(window, runner))
        for _ in range(4):  # close enough to read the word boxes
            window.detail.viewer.zoom_in()
        window.detail.viewer.centerOn(330, 300)
        window.uploads.add(9999, "Scans — reception desk")
        window.uploads.update_progress(9999, Progress(7, 12, "uploading", "scan-07.png"))
        if not dark:
            window.grab().save(str(out / f"main-{suffix}.png"))
        else:
            window.grab().save(str(out / f"main-{suffix}.png"))
            window.uploads.remove(9999)
        if not dark:
            window.uploads.remove(9999)
            window.find_text()
            search = window.search_dialog
            assert search is not None
            search.search("toner")
            wait(app, lambda: search.model.rowCount() > 0 and runner.pending == 0)
            search.grab().save(str(out / f"search-{suffix}.png"))
            search.close()
            window.select_job(demo.failed)
            wait(app, lambda: window.detail.items.rowCount() == 2)
            window.detail.item_view.setCurrentIndex(window.detail.items.index(1, 0))
            wait(app, lambda: settled(window, runner))
            window.banner.show_message(
                window.banner.level.WARNING,
                window.tr("%n file(s) were refused; the others were sent.", "", 1),
                "notes.docx: not an image or PDF (detected: zip) [UNSUPPORTED_TYPE]",
            )
            wait(app, lambda: True)
            window.grab().save(str(out / f"detail-{suffix}.png"))
            dialog = SettingsDialog(
                prefs,
                demo.ctx.settings.replace(
                    aws_profile="ocr-operators",
                    aws_region="sa-east-1",
                    database_url="mysql+pymysql://ocr@ocr-db.cluster-x1.sa-east-1.rds.amazonaws.com:3306/ocrjobs",
                    bucket="acme-ocr-jobs",
                ),
                ["eng", "por", "eng+por"],
                runner,
                resources,
                window,
            )
            dialog.password.setText("placeholder")
            dialog.show()
            dialog.show_results(
                [
                    CheckResult(
                        "database", "mysql+pymysql://ocr@ocr-db…:3306/ocrjobs", True, "ok", 0.041
                    ),
                    CheckResult("S3", "AWS bucket acme-ocr-jobs", True, "ok", 0.118),
                    CheckResult("SQS", "AWS queue ocr-jobs", True, "ok", 0.087),
                    CheckResult(
                        "DynamoDB",
                        "AWS table ocr-jobs-audit",
                        False,
                        "AccessDeniedException: not authorized to perform dynamodb:Query",
                        0.203,
                    ),
                ]
            )
            wait(app, lambda: runner.pending == 0)
            dialog.grab().save(str(out / f"settings-{suffix}.png"))
            dialog.close()
        window.poller.stop()
        runner.shutdown()
        window.close()
        window.deleteLater()
        demo.ctx.close()
        app.processEvents()
    for t in translators:
        app.removeTranslator(t)
    del theme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    resources = Resources()
    for lang in ("en", "pt_BR"):
        shoot(app, resources, lang, False, args.out)
    shoot(app, resources, "en", True, args.out)
    print(f"screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

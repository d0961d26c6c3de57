"""The local outbox: drops held on disk while S3, SQS, DynamoDB or the database is unreachable.

Nothing the user dropped is silently lost: when a submission fails because a backend
cannot be reached, the files are copied under ``<data dir>/outbox/<id>/files`` with a
``manifest.json`` (job name, language, original paths) and sent again once the
connection is back, also after a restart. Every method does file I/O: call them
through the task runner, never on the UI thread.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ocrjobs.domain.model import NamedBytes

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class OutboxEntry:
    """One held submission."""

    id: str
    name: str
    language: str
    created: str
    files: tuple[Path, ...]
    originals: tuple[str, ...]


class Outbox:
    """A directory of held submissions, oldest first."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def hold(self, files: Sequence[Path | NamedBytes], name: str, language: str) -> OutboxEntry:
        """Copy the files (folders recursively) into a new entry and write its manifest."""
        entry_id = uuid.uuid4().hex
        root = self.directory / entry_id
        target = root / "files"
        target.mkdir(parents=True)
        held: list[Path] = []
        originals: list[str] = []
        for index, f in enumerate(files):
            slot = target / f"{index:04d}"
            slot.mkdir()
            if isinstance(f, NamedBytes):
                dest = slot / (Path(f.name).name or "pasted.png")
                dest.write_bytes(f.data)
                originals.append(f.name)
            elif f.is_dir():
                dest = slot / f.name
                shutil.copytree(f, dest)
                originals.append(str(f))
            else:
                dest = slot / f.name
                shutil.copy2(f, dest)
                originals.append(str(f))
            held.append(dest)
        entry = OutboxEntry(
            entry_id,
            name,
            language,
            datetime.now(UTC).isoformat(),
            tuple(held),
            tuple(originals),
        )
        manifest = {
            "id": entry.id,
            "name": name,
            "language": language,
            "created": entry.created,
            "files": [str(p.relative_to(root)) for p in held],
            "originals": originals,
        }
        (root / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        log.info("held submission %s (%r, %d files) in the outbox", entry_id, name, len(held))
        return entry

    def entries(self) -> list[OutboxEntry]:
        """Every held submission, oldest first (unreadable entries are logged and skipped)."""
        if not self.directory.is_dir():
            return []
        out: list[OutboxEntry] = []
        for manifest in self.directory.glob(f"*/{MANIFEST}"):
            root = manifest.parent
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                out.append(
                    OutboxEntry(
                        str(data["id"]),
                        str(data["name"]),
                        str(data["language"]),
                        str(data["created"]),
                        tuple(root / str(p) for p in data["files"]),
                        tuple(str(o) for o in data["originals"]),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                log.exception("unreadable outbox entry %s", root)
        return sorted(out, key=lambda e: e.created)

    def remove(self, entry_id: str) -> None:
        """Delete a sent entry and its copies."""
        shutil.rmtree(self.directory / entry_id, ignore_errors=True)
        log.info("outbox entry %s sent and removed", entry_id)

"""A submission's claim on its job id while its images upload (the ``uploads`` table).

``create_job`` uploads every image before the job's rows exist. The orphan sweep
(:mod:`ocrjobs.services.orphans`) removes the images of job folders that no row points
at, which without a claim could include a submission that is merely slow: paused (a
laptop asleep, a stopped process), on a slow link, or waiting on a database lock before
its commit. So a submission claims its job id in the database before its first upload,
touches the claim every :data:`TOUCH_EVERY_S` while it uploads, and deletes the claim
in the very transaction that commits the job. The sweep deletes a folder's images only
after it has deleted a claim untouched for the grace period (or found none) and found
no job row, in one transaction. Both delete the same row, so the database decides: a
commit that comes first keeps its images; a sweep that comes first makes the commit
fail with :class:`UploadAbandoned`, and the submission removes what is left.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Self
from uuid import UUID

from ocrjobs.adapters.repository import UnitOfWork
from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

TOUCH_EVERY_S = 60.0
"""How often a running submission marks its claim alive (far below the sweep's grace)."""


class UploadAbandoned(OcrJobsError):
    """The orphan sweep took the submission's images: it stalled longer than the grace."""

    code = "UPLOAD_ABANDONED"


class UploadClaim:
    """The claim of one submission; a context manager that keeps it touched.

    Args:
        ctx: The services' dependencies.
        job_id: The id the submission will commit its job under.
    """

    def __init__(self, ctx: Context, job_id: UUID) -> None:
        self.ctx = ctx
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.settled = False
        """The claim is no longer the submission's to drop: the job's commit deleted it,
        or it is left to the sweep because whether the commit went through is unknown."""

    def __enter__(self) -> Self:
        """Claim the id (committed at once); raises when the database is unreachable."""
        with self.ctx.uow(write=True) as uow:
            uow.repo.begin_upload(self.job_id, self.ctx.clock())
            uow.commit()
        self._thread = threading.Thread(
            target=self._keep_alive, name=f"upload-claim-{self.job_id}", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def end(self, uow: UnitOfWork) -> None:
        """Delete the claim inside the transaction that commits the job.

        Raises:
            UploadAbandoned: The sweep deleted it (and the images) first.
        """
        if not uow.repo.end_upload(self.job_id):
            raise UploadAbandoned(
                f"the submission of job {self.job_id} stalled for longer than "
                f"{self.ctx.settings.orphan_grace_seconds} s and the orphan sweep removed "
                "its images; submit the files again"
            )

    def release(self) -> None:
        """Drop the claim after a failed submission (best effort: the sweep clears it)."""
        try:
            with self.ctx.uow(write=True) as uow:
                uow.repo.end_upload(self.job_id)
                uow.commit()
        except OcrJobsError as exc:
            log.warning("upload claim of job=%s left for the sweep: %s", self.job_id, exc)

    def _keep_alive(self) -> None:
        while not self._stop.wait(TOUCH_EVERY_S):
            try:
                with self.ctx.uow(write=True) as uow:
                    alive = uow.repo.touch_upload(self.job_id, self.ctx.clock())
                    uow.commit()
            except OcrJobsError as exc:  # the commit will say whether it matters
                log.warning("could not touch the upload claim of job=%s: %s", self.job_id, exc)
                continue
            if not alive:
                log.warning("upload claim of job=%s is gone (swept)", self.job_id)
                return

"""The pure domain: status tables, the job-status rule, S3 keys and the message codec."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest

from ocrjobs.adapters.messages import (
    SEED_FIELDS,
    BadMessage,
    ItemMessage,
    decode,
    encode,
)
from ocrjobs.domain.errors import (
    BackendUnavailable,
    InvalidTransition,
    NotFound,
    OcrJobsError,
    ValidationFailed,
)
from ocrjobs.domain.model import RETENTION, JobPage, job_prefix, s3_key_for
from ocrjobs.domain.status import (
    ITEM_TRANSITIONS,
    JOB_TRANSITIONS,
    ItemStatus,
    JobStatus,
    StatusCounts,
    can_transition,
    check_job_transition,
    check_transition,
    derive_job_status,
    sources_for,
)

JOB = UUID("0b7c5a52-1f7e-4a55-9b0e-5f5d2f0e8c11")
ITEM = UUID("6f1f3c1e-2d3b-4c8e-8f7a-1c2d3e4f5a6b")

# -- statuses and transitions ------------------------------------------------------------


def test_statuses_are_exactly_the_seed_values() -> None:
    assert [s.value for s in JobStatus] == ["PENDING", "PROCESSING", "DONE", "ERROR", "EXPIRED"]
    assert [s.value for s in ItemStatus] == ["PENDING", "PROCESSING", "DONE", "ERROR"]


def test_transition_tables_cover_every_status() -> None:
    assert set(ITEM_TRANSITIONS) == set(ItemStatus)
    assert set(JOB_TRANSITIONS) == set(JobStatus)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (ItemStatus.PENDING, ItemStatus.PROCESSING),
        (ItemStatus.PENDING, ItemStatus.ERROR),  # expiry / dead letter
        (ItemStatus.PROCESSING, ItemStatus.DONE),
        (ItemStatus.PROCESSING, ItemStatus.ERROR),
        (ItemStatus.PROCESSING, ItemStatus.PROCESSING),  # redelivery re-claims
        (ItemStatus.ERROR, ItemStatus.PENDING),  # retry
    ],
)
def test_allowed_item_transitions(current: ItemStatus, new: ItemStatus) -> None:
    assert can_transition(current, new)
    check_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (ItemStatus.PENDING, ItemStatus.DONE),  # no result without a claim
        (ItemStatus.DONE, ItemStatus.PENDING),
        (ItemStatus.DONE, ItemStatus.PROCESSING),
        (ItemStatus.DONE, ItemStatus.ERROR),
        (ItemStatus.DONE, ItemStatus.DONE),
        (ItemStatus.ERROR, ItemStatus.DONE),
        (ItemStatus.ERROR, ItemStatus.PROCESSING),
    ],
)
def test_refused_item_transitions(current: ItemStatus, new: ItemStatus) -> None:
    assert not can_transition(current, new)
    with pytest.raises(InvalidTransition) as info:
        check_transition(current, new)
    assert info.value.code == "INVALID_TRANSITION"
    assert current.value in info.value.message
    assert new.value in info.value.message


def test_done_items_are_final() -> None:
    assert ITEM_TRANSITIONS[ItemStatus.DONE] == frozenset()


def test_sources_for_is_the_inverse_of_the_table() -> None:
    for new in ItemStatus:
        expected = {s for s in ItemStatus if new in ITEM_TRANSITIONS[s]}
        assert sources_for(new) == expected
    # The worker's claim is conditional on exactly these.
    assert sources_for(ItemStatus.PROCESSING) == {ItemStatus.PENDING, ItemStatus.PROCESSING}
    assert ItemStatus.DONE not in sources_for(ItemStatus.PENDING)


def test_job_transitions() -> None:
    check_job_transition(JobStatus.DONE, JobStatus.DONE)  # no move is always fine
    check_job_transition(JobStatus.EXPIRED, JobStatus.PENDING)  # retry
    with pytest.raises(InvalidTransition):
        check_job_transition(JobStatus.DONE, JobStatus.PENDING)


# -- the job-status rule (issue 2, item 2) ------------------------------------------------


def counts(
    pending: int = 0, processing: int = 0, done: int = 0, error: int = 0, expired: int = 0
) -> StatusCounts:
    """``error`` counts failed items only; expired items are added to it (they are ERROR)."""
    return StatusCounts(pending, processing, done, error + expired, expired)


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        # PENDING: nothing started.
        (counts(), JobStatus.PENDING),
        (counts(pending=1), JobStatus.PENDING),
        (counts(pending=7), JobStatus.PENDING),
        # PROCESSING: work started, not all finished.
        (counts(processing=1), JobStatus.PROCESSING),
        (counts(pending=3, processing=1), JobStatus.PROCESSING),
        (counts(pending=1, done=1), JobStatus.PROCESSING),
        (counts(pending=1, error=1), JobStatus.PROCESSING),
        (counts(processing=1, done=5), JobStatus.PROCESSING),
        (counts(processing=1, error=1), JobStatus.PROCESSING),
        (counts(processing=1, expired=1), JobStatus.PROCESSING),
        (counts(pending=1, expired=1), JobStatus.PROCESSING),
        # DONE: every item DONE.
        (counts(done=1), JobStatus.DONE),
        (counts(done=12), JobStatus.DONE),
        # ERROR: all finished, at least one ERROR (DONE items keep their text).
        (counts(error=1), JobStatus.ERROR),
        (counts(done=4, error=1), JobStatus.ERROR),
        (counts(error=3), JobStatus.ERROR),
        # EXPIRED: retention deadline passed with items never processed.
        (counts(expired=1), JobStatus.EXPIRED),
        (counts(done=2, expired=1), JobStatus.EXPIRED),
        (counts(done=1, error=1, expired=1), JobStatus.EXPIRED),
    ],
)
def test_derive_job_status(c: StatusCounts, expected: JobStatus) -> None:
    assert derive_job_status(c) is expected


def test_counts_properties() -> None:
    c = counts(pending=1, processing=2, done=3, error=4, expired=5)
    assert c.total == 15
    assert c.finished == 12
    assert c.as_dict() == {"PENDING": 1, "PROCESSING": 2, "DONE": 3, "ERROR": 9, "EXPIRED": 5}


# Item states as the rule sees them: an expired item is ERROR with the EXPIRED code.
STATES = ("PENDING", "PROCESSING", "DONE", "ERROR", "EXPIRED")
MOVES = {
    # Every item move the services make (ITEM_TRANSITIONS, split by error kind).
    ("PENDING", "PROCESSING"),
    ("PENDING", "ERROR"),  # dead letter
    ("PENDING", "EXPIRED"),  # expiry
    ("PROCESSING", "PROCESSING"),
    ("PROCESSING", "DONE"),
    ("PROCESSING", "ERROR"),
    ("PROCESSING", "PENDING"),
    ("ERROR", "PENDING"),
    ("EXPIRED", "PENDING"),
}


def _as_counts(states: Counter[str]) -> StatusCounts:
    return counts(
        states["PENDING"], states["PROCESSING"], states["DONE"], states["ERROR"], states["EXPIRED"]
    )


def _jobs(max_items: int) -> Iterator[Counter[str]]:
    for n in range(1, max_items + 1):
        for combo in itertools.combinations_with_replacement(STATES, n):
            yield Counter(combo)


def test_moves_match_the_item_table() -> None:
    plain = {"EXPIRED": "ERROR"}
    for a, b in MOVES:
        assert can_transition(ItemStatus(plain.get(a, a)), ItemStatus(plain.get(b, b)))


def test_every_item_move_gives_an_allowed_job_move() -> None:
    """The rule and the job table agree: no item move derives a forbidden job move."""
    for states in _jobs(3):
        before = derive_job_status(_as_counts(states))
        for a, b in MOVES:
            if not states[a]:
                continue
            after_states = states.copy()
            after_states[a] -= 1
            after_states[b] += 1
            after = derive_job_status(_as_counts(after_states))
            check_job_transition(before, after)


# -- S3 keys -----------------------------------------------------------------------------


def test_s3_key_layout() -> None:
    assert s3_key_for(JOB, ITEM, "jpg") == f"jobs/{JOB}/{ITEM}.jpg"
    assert s3_key_for(JOB, ITEM, "PNG") == f"jobs/{JOB}/{ITEM}.png"
    assert job_prefix(JOB) == f"jobs/{JOB}/"
    assert s3_key_for(JOB, ITEM, "tiff").startswith(job_prefix(JOB))


@pytest.mark.parametrize(
    "ext", ["", ".jpg", "jp g", "../x", "a/b", "png\n", "jpg\x00", "é", "ｊｐｇ", "²"]
)
def test_s3_key_refuses_anything_but_an_ascii_extension(ext: str) -> None:
    with pytest.raises(ValueError, match="extension"):
        s3_key_for(JOB, ITEM, ext)


def test_retention_is_two_days() -> None:
    assert timedelta(days=2) == RETENTION


def test_job_page_count() -> None:
    assert JobPage((), 0, 1, 50).pages == 1
    assert JobPage((), 50, 1, 50).pages == 1
    assert JobPage((), 51, 1, 50).pages == 2


# -- errors --------------------------------------------------------------------------------


def test_errors_have_stable_codes_and_exit_codes() -> None:
    assert NotFound("x").exit_code == 3
    assert ValidationFailed("x", []).exit_code == 4
    down = BackendUnavailable("S3", "http://127.0.0.1:1", "refused")
    assert down.exit_code == 5
    assert "S3" in str(down)
    assert "http://127.0.0.1:1" in str(down)
    assert isinstance(down, OcrJobsError)


# -- the message codec -----------------------------------------------------------------------

CREATED = datetime(2026, 11, 29, 15, 30, 1, 123456, tzinfo=UTC)


def _msg(**changes: object) -> ItemMessage:
    base: dict[str, object] = {
        "job_id": JOB,
        "item_id": ITEM,
        "s3_bucket": "ocr-jobs-bucket",
        "s3_key": s3_key_for(JOB, ITEM, "jpg"),
        "created_at": CREATED,
        "language": None,
    }
    base.update(changes)
    return ItemMessage(**base)  # type: ignore[arg-type]


def _body(**changes: object) -> str:
    data: dict[str, object] = json.loads(encode(_msg()))
    for k, v in changes.items():
        if v is ...:
            data.pop(k, None)
        else:
            data[k] = v
    return json.dumps(data)


def test_encode_has_the_seed_fields_with_the_seed_formats() -> None:
    data = json.loads(encode(_msg()))
    assert list(data)[:5] == list(SEED_FIELDS)
    assert set(data) - set(SEED_FIELDS) <= {"version", "language"}
    assert data["job_id"] == str(JOB)
    assert data["item_id"] == str(ITEM)
    assert data["s3_bucket"] == "ocr-jobs-bucket"
    assert data["s3_key"] == f"jobs/{JOB}/{ITEM}.jpg"
    assert datetime.fromisoformat(data["created_at"]) == CREATED
    assert data["created_at"].endswith("+00:00")
    assert "language" not in data


def test_encode_decode_round_trip() -> None:
    msg = _msg(language="eng+por")
    body = encode(msg)
    assert json.loads(body)["language"] == "eng+por"
    assert decode(body) == msg
    assert decode(encode(_msg())) == _msg()


def test_decode_accepts_a_seed_message_without_extras() -> None:
    """A message written by the seed's backend (five fields, no version) still decodes."""
    body = json.dumps(
        {
            "job_id": str(JOB),
            "item_id": str(ITEM),
            "s3_bucket": "ocr-jobs-bucket",
            "s3_key": f"jobs/{JOB}/{ITEM}.jpg",
            "created_at": "2026-11-29T15:30:01+00:00",
        }
    )
    msg = decode(body)
    assert msg.job_id == JOB
    assert msg.item_id == ITEM
    assert msg.language is None


def test_decode_keeps_the_instant_of_a_non_utc_timestamp() -> None:
    local = CREATED.astimezone(timezone(timedelta(hours=-3)))
    assert decode(_body(created_at=local.isoformat())).created_at == CREATED


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("", "not JSON"),
        ("not json", "not JSON"),
        ("{", "not JSON"),
        ("[]", "not a JSON object"),
        ('"text"', "not a JSON object"),
        ("null", "not a JSON object"),
        (_body(job_id=...), "lacks job_id"),
        (_body(s3_key=..., created_at=...), "lacks s3_key, created_at"),
        (_body(item_id=17), "item_id must be a non-empty string"),
        (_body(s3_bucket=""), "s3_bucket must be a non-empty string"),
        (_body(created_at=None), "created_at must be a non-empty string"),
        (_body(job_id="not-a-uuid"), "not UUIDs"),
        (_body(item_id="1234"), "not UUIDs"),
        (_body(created_at="yesterday"), "not ISO 8601"),
        (_body(s3_key=f"jobs/{uuid.uuid4()}/{ITEM}.jpg"), "does not belong"),
        (_body(s3_key=f"jobs/{JOB}/{uuid.uuid4()}.jpg"), "does not belong"),
        (_body(s3_key=f"other/{JOB}/{ITEM}.jpg"), "does not belong"),
        (_body(s3_key=f"jobs/{JOB}/{ITEM}.jpg/../../secret.jpg"), "does not belong"),
        (_body(s3_key=f"jobs/{JOB}/{ITEM}."), "does not belong"),
        (_body(language=3), "language must be a string"),
    ],
)
def test_decode_refuses_bad_bodies(body: str, why: str) -> None:
    with pytest.raises(BadMessage, match=re.escape(why)) as info:
        decode(body)
    assert info.value.code == "BAD_MESSAGE"

"""The ``ocrjobs`` command line's argument checks (no backend needed)."""

from __future__ import annotations

import pytest

from ocrjobs.cli import build_parser


@pytest.mark.parametrize("command", ["orphans", "requeue"])
@pytest.mark.parametrize("grace", ["nan", "inf", "1e20", "-5", "soon"])
def test_a_grace_out_of_range_is_a_usage_error(
    command: str, grace: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--grace -5`` would make a sweep delete the images of submissions still uploading;
    ``nan``, ``inf`` and ``1e20`` ended in a traceback."""
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, f"--grace={grace}"])
    assert exit_info.value.code == 2
    assert "--grace" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["orphans", "requeue"])
def test_a_grace_in_seconds_is_parsed(command: str) -> None:
    assert build_parser().parse_args([command, "--grace", "0"]).grace == 0.0
    assert build_parser().parse_args([command, "--grace", "90.5"]).grace == 90.5

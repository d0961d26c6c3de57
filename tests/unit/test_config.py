"""Settings: overrides > environment > TOML file > defaults, with clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ocrjobs.config import Settings
from ocrjobs.domain.errors import ConfigError


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_env_or_file(tmp_path: Path) -> None:
    s = Settings.load(env={}, config_file=tmp_path / "absent.toml")
    assert s.bucket == "ocr-jobs-bucket"
    assert s.queue == "ocr-jobs"
    assert s.dlq_name == "ocr-jobs-dlq"
    assert s.audit_table == "ocr-jobs-audit"
    assert s.retention_hours == 48.0
    assert s.database_url == ""
    assert s.resolved_database_url.startswith("sqlite:///")
    assert s.resolved_database_url.endswith("ocrjobs.sqlite3")


def test_toml_overrides_defaults(tmp_path: Path) -> None:
    path = _toml(
        tmp_path,
        '[ocrjobs]\nbucket = "from-file"\nqueue = "q-file"\nmax_pixels = 1000\n'
        "retention_hours = 24\n",
    )
    s = Settings.load(env={}, config_file=path)
    assert s.bucket == "from-file"
    assert s.queue == "q-file"
    assert s.dlq_name == "q-file-dlq"
    assert s.max_pixels == 1000
    assert s.retention_hours == 24.0
    assert isinstance(s.retention_hours, float)


def test_toml_without_section_is_read_too(tmp_path: Path) -> None:
    s = Settings.load(env={}, config_file=_toml(tmp_path, 'bucket = "top-level"\n'))
    assert s.bucket == "top-level"


def test_env_overrides_toml(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[ocrjobs]\nbucket = "from-file"\nqueue = "q-file"\n')
    env = {"OCRJOBS_BUCKET": "from-env", "OCRJOBS_MAX_FILE_BYTES": "123"}
    s = Settings.load(env=env, config_file=path)
    assert s.bucket == "from-env"
    assert s.queue == "q-file"  # not in env: the file still counts
    assert s.max_file_bytes == 123


def test_overrides_beat_env(tmp_path: Path) -> None:
    s = Settings.load(
        env={"OCRJOBS_BUCKET": "from-env"}, config_file=tmp_path / "absent.toml", bucket="explicit"
    )
    assert s.bucket == "explicit"


def test_empty_env_value_does_not_override(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[ocrjobs]\nbucket = "from-file"\n')
    s = Settings.load(env={"OCRJOBS_BUCKET": ""}, config_file=path)
    assert s.bucket == "from-file"


def test_config_file_named_by_env(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[ocrjobs]\naudit_table = "t-from-named-file"\n')
    s = Settings.load(env={"OCRJOBS_CONFIG": str(path)})
    assert s.audit_table == "t-from-named-file"


def test_env_names_cover_the_documented_keys(tmp_path: Path) -> None:
    env = {
        "OCRJOBS_DATABASE_URL": "mysql+pymysql://u@127.0.0.1/db",
        "OCRJOBS_BUCKET": "b",
        "OCRJOBS_QUEUE": "q",
        "OCRJOBS_DLQ": "dead",
        "OCRJOBS_AUDIT_TABLE": "t",
        "OCRJOBS_RETENTION_HOURS": "1.5",
        "OCRJOBS_UPLOAD_CONCURRENCY": "3",
    }
    s = Settings.load(env=env, config_file=tmp_path / "absent.toml")
    assert s.database_url == "mysql+pymysql://u@127.0.0.1/db"
    assert s.resolved_database_url == "mysql+pymysql://u@127.0.0.1/db"
    assert (s.bucket, s.queue, s.dlq_name, s.audit_table) == ("b", "q", "dead", "t")
    assert s.retention_hours == 1.5
    assert s.upload_concurrency == 3


def test_unrelated_env_variables_are_ignored(tmp_path: Path) -> None:
    env = {"OCRJOBS_TEST_MYSQL_URL": "mysql://x", "OCRJOBS_NOT_A_SETTING": "1"}
    s = Settings.load(env=env, config_file=tmp_path / "absent.toml")
    assert s == Settings.load(env={}, config_file=tmp_path / "absent.toml").replace(actor=s.actor)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("OCRJOBS_MAX_PIXELS", "lots"),
        ("OCRJOBS_MAX_PIXELS", "1.5"),
        ("OCRJOBS_RETENTION_HOURS", "two days"),
        ("OCRJOBS_UPLOAD_CONCURRENCY", "8 threads"),
        ("OCRJOBS_RETENTION_HOURS", "nan"),  # would crash every create in timedelta()
        ("OCRJOBS_RETENTION_HOURS", "inf"),
        ("OCRJOBS_AWS_READ_TIMEOUT", "-inf"),
    ],
)
def test_env_coercion_errors_name_the_setting(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load(env={key: value}, config_file=tmp_path / "absent.toml")
    name = key.removeprefix("OCRJOBS_").lower()
    assert name in info.value.message
    assert value in info.value.message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "line",
    [
        'max_pixels = "many"',
        "max_pixels = 1.5",  # would silently become 1
        "upload_concurrency = true",  # would silently become 1
        "retention_hours = false",
        "max_file_bytes = [1, 2]",
    ],
)
def test_toml_coercion_errors(tmp_path: Path, line: str) -> None:
    path = _toml(tmp_path, f"[ocrjobs]\n{line}\n")
    with pytest.raises(ConfigError) as info:
        Settings.load(env={}, config_file=path)
    assert line.split(" =", maxsplit=1)[0] in info.value.message


def test_toml_whole_number_float_for_an_integer_is_fine(tmp_path: Path) -> None:
    s = Settings.load(env={}, config_file=_toml(tmp_path, "[ocrjobs]\nmax_pixels = 2e6\n"))
    assert s.max_pixels == 2_000_000
    assert isinstance(s.max_pixels, int)


def test_unknown_key_in_file_is_an_error(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[ocrjobs]\nbuckett = "typo"\n')
    with pytest.raises(ConfigError, match="buckett"):
        Settings.load(env={}, config_file=path)


def test_unknown_override_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope"):
        Settings.load(env={}, config_file=tmp_path / "absent.toml", nope=1)


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    path = _toml(tmp_path, "[ocrjobs\nbucket = \n")
    with pytest.raises(ConfigError) as info:
        Settings.load(env={}, config_file=path)
    assert str(path) in info.value.message


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'ocrjobs = "x"\n')
    with pytest.raises(ConfigError, match="table"):
        Settings.load(env={}, config_file=path)


def test_no_aws_secret_is_a_setting() -> None:
    names = set(Settings.__dataclass_fields__)
    assert not {n for n in names if "secret" in n or "access_key" in n or "password" in n}


def test_endpoint_from_settings_then_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert Settings().resolved_endpoint_url is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert Settings().resolved_endpoint_url == "http://127.0.0.1:9"
    assert Settings(endpoint_url="http://127.0.0.1:8").resolved_endpoint_url == (
        "http://127.0.0.1:8"
    )


def test_loading_does_no_io_beyond_the_config_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    s = Settings.load(env={"OCRJOBS_DATA_DIR": str(data)}, config_file=tmp_path / "absent.toml")
    assert s.data_path == data
    assert s.resolved_database_url == f"sqlite:///{data / 'ocrjobs.sqlite3'}"
    assert not data.exists()


def test_a_missing_file_named_by_env_is_an_error(tmp_path: Path) -> None:
    """A typo in OCRJOBS_CONFIG must not silently fall back to the local defaults."""
    missing = tmp_path / "typo.toml"
    with pytest.raises(ConfigError) as info:
        Settings.load(env={"OCRJOBS_CONFIG": str(missing)})
    assert str(missing) in info.value.message
    assert "OCRJOBS_CONFIG" in info.value.message


def test_config_can_be_switched_off_with_devnull() -> None:
    s = Settings.load(env={"OCRJOBS_CONFIG": os.devnull, "OCRJOBS_BUCKET": "b"})
    assert s.bucket == "b"

"""Dependencies point inward, and importing the core does no work."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import ocrjobs

CORE = Path(ocrjobs.__file__).resolve().parent
FRAMEWORKS = ("sqlalchemy", "alembic", "boto3", "botocore", "moto", "PySide6", "PIL", "pymysql")


def _imports(path: Path) -> set[str]:
    """Top-level module names imported by a file (``from . import`` excluded)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _package_files(sub: str) -> list[Path]:
    files = sorted((CORE / sub).rglob("*.py"))
    assert files
    return files


@pytest.mark.parametrize("path", _package_files("domain"), ids=lambda p: p.name)
def test_domain_imports_only_stdlib_and_domain(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "ocrjobs":
            assert name.startswith("ocrjobs.domain"), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_core_never_imports_gui_or_worker(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        assert top not in {"PySide6", "shiboken6", "desktop", "worker"}, f"{path} imports {name}"


@pytest.mark.parametrize(
    "path", [*_package_files("adapters"), *_package_files("domain")], ids=lambda p: p.name
)
def test_adapters_and_domain_never_import_services(path: Path) -> None:
    for name in _imports(path):
        assert not name.startswith("ocrjobs.services"), f"{path} imports {name}"
        assert name not in {"ocrjobs.cli", "ocrjobs.bootstrap", "ocrjobs.localstack"}


def _run(code: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_importing_the_domain_loads_no_framework() -> None:
    loaded = _run(
        "import json, sys\n"
        "import ocrjobs.domain.model, ocrjobs.domain.status, ocrjobs.domain.errors\n"
        "print(json.dumps({'mods': sorted(sys.modules)}))\n"
    )["mods"]
    assert isinstance(loaded, list)
    tops = {m.split(".")[0] for m in loaded}
    assert not tops & set(FRAMEWORKS), tops & set(FRAMEWORKS)
    assert not [m for m in loaded if m.startswith(("ocrjobs.adapters", "ocrjobs.services"))]


def test_importing_every_core_module_does_no_work(tmp_path: Path) -> None:
    """No threads, engines, clients or files at import time (STYLE: no work at import)."""
    modules = sorted(
        ".".join(p.relative_to(CORE.parent).with_suffix("").parts)
        for p in CORE.rglob("*.py")
        if "migrations" not in p.parts and p.name != "__main__.py"
    )
    result = _run(
        "import json, os, sys, threading\n"
        f"os.chdir({str(tmp_path)!r})\n"
        "before = threading.active_count()\n"
        f"for m in {modules!r}:\n"
        "    __import__(m)\n"
        "import gc\n"
        "from sqlalchemy import Engine\n"
        "from botocore.client import BaseClient\n"
        "objs = gc.get_objects()\n"
        "print(json.dumps({\n"
        "    'threads': threading.active_count() - before,\n"
        "    'engines': sum(isinstance(o, Engine) for o in objs),\n"
        "    'clients': sum(isinstance(o, BaseClient) for o in objs),\n"
        "    'files': os.listdir('.'),\n"
        "}))\n"
    )
    assert result == {"threads": 0, "engines": 0, "clients": 0, "files": []}


def test_cli_starts_without_loading_aws_or_database_libraries() -> None:
    """``ocrjobs --help`` must be quick: heavy libraries load only for a command."""
    loaded = _run(
        "import json, sys\nimport ocrjobs.cli\nprint(json.dumps({'mods': sorted(sys.modules)}))\n"
    )["mods"]
    assert isinstance(loaded, list)
    tops = {m.split(".")[0] for m in loaded}
    assert not tops & {"boto3", "botocore", "sqlalchemy", "moto", "PIL"}

"""The IAM policies of ocrjobs, kept in one place and read by the template and the tests.

``worker.json`` is the EC2 worker instance role's policy, ``operator.json`` the operators'
managed policy. Both are plain IAM policy documents whose ARNs use CloudFormation's
``Fn::Sub`` placeholders (``${Bucket}``, ``${Queue.Arn}``, ``${AWS::Partition}``, ...):

- the CloudFormation template ``resources/deploy/ocrjobs.yaml`` embeds each document
  between ``# BEGIN GENERATED iam/<name>.json`` / ``# END GENERATED`` markers, every
  placeholder string as a ``!Sub``; ``--write`` regenerates those blocks and ``--check``
  (run by ``make cfn-lint`` and the tests) fails when the template has drifted;
- the tests call :func:`render` with concrete names and ARNs (moto's) and give IAM users
  exactly these documents.

Usage::

    python resources/deploy/iam/policies.py --check   # exit 1 if the template is stale
    python resources/deploy/iam/policies.py --write   # rewrite the generated blocks
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

IAM_DIR = Path(__file__).resolve().parent
TEMPLATE = IAM_DIR.parent / "ocrjobs.yaml"
POLICY_NAMES = ("worker", "operator")

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9:.]+)\}")
_BEGIN = re.compile(r"^(?P<indent> *)# BEGIN GENERATED iam/(?P<name>[a-z]+)\.json\b.*$")
_END = "# END GENERATED iam/{name}.json"


def load(name: str) -> dict[str, Any]:
    """The policy document ``iam/<name>.json`` with its placeholders unresolved."""
    if name not in POLICY_NAMES:
        raise ValueError(f"unknown policy {name!r} (choose {', '.join(POLICY_NAMES)})")
    doc: dict[str, Any] = json.loads((IAM_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return doc


def placeholders(name: str) -> set[str]:
    """Every ``${...}`` placeholder the policy ``name`` uses."""
    return set(_PLACEHOLDER.findall(json.dumps(load(name))))


def render(name: str, values: Mapping[str, str]) -> dict[str, Any]:
    """The policy ``name`` with every placeholder replaced by ``values[placeholder]``.

    Args:
        name: ``"worker"`` or ``"operator"``.
        values: e.g. ``{"AWS::Partition": "aws", "Bucket": "b", "Queue.Arn": "arn:..."}``.

    Raises:
        KeyError: a placeholder has no value (a half-rendered policy is never returned).
    """

    def resolve(node: Any) -> Any:
        if isinstance(node, str):
            return _PLACEHOLDER.sub(lambda m: values[m.group(1)], node)
        if isinstance(node, list):
            return [resolve(v) for v in node]
        if isinstance(node, dict):
            return {k: resolve(v) for k, v in node.items()}
        return node

    rendered: dict[str, Any] = resolve(load(name))
    return rendered


def _scalar(value: str) -> str:
    quoted = "'" + value.replace("'", "''") + "'"
    return f"!Sub {quoted}" if _PLACEHOLDER.search(value) else quoted


def to_cfn_yaml(node: Any, indent: int) -> list[str]:
    """``node`` (a JSON policy document) as CloudFormation YAML lines, ``!Sub`` where needed."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                lines.append(f"{pad}{key}:")
                lines.extend(to_cfn_yaml(value, indent + 2))
            else:
                lines.append(f"{pad}{key}: {_scalar(str(value))}")
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, dict):
                inner = to_cfn_yaml(value, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            elif isinstance(value, list):
                raise ValueError("nested lists do not occur in IAM policies")
            else:
                lines.append(f"{pad}- {_scalar(str(value))}")
    else:
        raise ValueError(f"unexpected policy node {node!r}")
    return lines


def sync_template(template: Path = TEMPLATE, *, write: bool = False) -> list[str]:
    """Compare (or rewrite) the generated policy blocks of ``template``.

    Returns:
        The names of the policies whose block differed (empty: in sync). With ``write``
        those blocks are rewritten.

    Raises:
        ValueError: a policy has no block in the template, or a block has no end marker.
    """
    lines = template.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    stale: list[str] = []
    seen: set[str] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        match = _BEGIN.match(line)
        i += 1
        if not match:
            continue
        name = match.group("name")
        end = f"{match.group('indent')}{_END.format(name=name)}"
        try:
            stop = lines.index(end, i)
        except ValueError:
            raise ValueError(f"{template}: no {end.strip()!r} after line {i}") from None
        expected = to_cfn_yaml(load(name), len(match.group("indent")))
        if lines[i:stop] != expected:
            stale.append(name)
        out.extend(expected)
        out.append(end)
        seen.add(name)
        i = stop + 1
    missing = set(POLICY_NAMES) - seen
    if missing:
        raise ValueError(f"{template}: no generated block for {', '.join(sorted(missing))}")
    if write and stale:
        template.write_text("\n".join(out) + "\n", encoding="utf-8")
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--check`` (default) or ``--write``; exit 1 when stale and not written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="rewrite stale blocks")
    parser.add_argument("--check", action="store_true", help="only report (the default)")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args(argv)
    stale = sync_template(args.template, write=args.write)
    for name in stale:
        verb = "rewrote" if args.write else "stale:"
        print(f"{verb} iam/{name}.json block in {args.template}", file=sys.stderr)
    return 1 if stale and not args.write else 0


if __name__ == "__main__":
    raise SystemExit(main())

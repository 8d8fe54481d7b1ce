"""Rewrites `[tool.uv] constraint-dependencies` in the root pyproject.toml with exact pins.

uv.lock stays out of git (it records download URLs); these pins make a fresh resolution on
another machine reproducible. Run after changing dependencies:

    uv lock && uv run python tools/pins.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")
BLOCK = re.compile(r"(?ms)^constraint-dependencies = \[\n.*?^\]")


def exported(uv: str) -> str:
    argv = [
        uv, "export", "--frozen", "--no-hashes", "--no-header", "--no-annotate",
        "--format", "requirements-txt", "--all-packages", "--no-emit-workspace",
    ]  # fmt: skip
    return subprocess.run(  # noqa: S603 - fixed argv
        argv,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pins(text: str) -> list[str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            found[name] = match.group(2)
    return [f"{name}=={version}" for name, version in sorted(found.items())]


def main() -> int:
    uv = shutil.which("uv") or str(ROOT / ".uv" / "bin" / "uv")
    lines = pins(exported(uv))
    if not lines:
        print("uv export listed no packages; is uv.lock there? (`uv lock`)", file=sys.stderr)
        return 1
    block = "constraint-dependencies = [\n" + "".join(f'    "{p}",\n' for p in lines) + "]"
    text = PYPROJECT.read_text()
    if not BLOCK.search(text):
        print("no constraint-dependencies list in pyproject.toml", file=sys.stderr)
        return 1
    PYPROJECT.write_text(BLOCK.sub(lambda _: block, text, count=1))
    print(f"pinned {len(lines)} packages in {PYPROJECT.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Audits the pinned dependencies (`[tool.uv] constraint-dependencies` in pyproject.toml) for
known vulnerabilities with pip-audit, against each vulnerability source it can reach.

    .venv/bin/python tools/audit.py [--require-source]

Exit 1 when a pinned version has a known vulnerability. When no source can be reached (a
machine whose only way out is a package mirror: the PyPI JSON API and OSV answer nothing
there), it says so, names what it tried, and exits 0, or 2 with `--require-source`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pypi", "osv")


def pinned() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins: list[str] = config["tool"]["uv"]["constraint-dependencies"]
    return pins


def audit(requirements: Path, source: str) -> tuple[dict[str, list[str]], int, str]:
    """Vulnerability ids by `name==version`, how many pins the source audited, and why it
    audited none when it did not."""
    pip_audit = str(Path(sys.executable).with_name("pip-audit"))
    argv = [pip_audit, "-r", str(requirements), "--no-deps", "--disable-pip", "-s", source]
    argv += ["--format", "json", "--progress-spinner", "off"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
    try:
        report = json.loads(run.stdout)
    except ValueError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return {}, 0, last[:300]
    found: dict[str, list[str]] = {}
    audited = 0
    reasons = set()
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            reasons.add(dep["skip_reason"].split(":")[0])
            continue
        audited += 1
        if dep.get("vulns"):
            found[f"{dep['name']}=={dep['version']}"] = [v["id"] for v in dep["vulns"]]
    return found, audited, "; ".join(sorted(reasons))


def main(argv: list[str]) -> int:
    pins = pinned()
    with tempfile.TemporaryDirectory(prefix="edu-audit-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("\n".join(pins) + "\n")
        vulnerable: dict[str, list[str]] = {}
        reached = []
        for source in SOURCES:
            found, audited, why = audit(requirements, source)
            if audited:
                reached.append(source)
                print(f"{source}: {audited} of {len(pins)} pins audited")
            else:
                print(f"{source}: unreachable or silent ({why or 'nothing audited'})")
            vulnerable |= found
    for pin, ids in sorted(vulnerable.items()):
        print(f"VULNERABLE {pin}: {', '.join(ids)}")
    if vulnerable:
        return 1
    if not reached:
        print(f"dependency audit: no vulnerability source reachable (tried {', '.join(SOURCES)})")
        return 2 if "--require-source" in argv else 0
    print(f"dependency audit: no known vulnerability in {len(pins)} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

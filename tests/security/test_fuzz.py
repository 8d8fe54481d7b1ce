"""Property-based fuzzing of every service from its own OpenAPI schema (schemathesis), as the
student, the teacher and the admin of the demo data, on the platform `edu up` starts: no 5xx,
every status documented, every body as the schema says, every error problem details
(`fuzz_hooks.py`), and schema-invalid input refused.

The run in CI is bounded (`EDU_FUZZ_EXAMPLES`, 6 cases per operation and phase, without the
coverage phase); a longer one is the same test with more:

    EDU_FUZZ_EXAMPLES=200 EDU_FUZZ_PHASES=examples,coverage,fuzzing,stateful \\
        .venv/bin/python -m pytest tests/security/test_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.stack, pytest.mark.timeout(1800)]

HERE = Path(__file__).parent
SERVICES = ("identity", "course", "enrollment", "payment", "notification")
ROLES = ("student", "teacher", "admin")
EXAMPLES = int(os.environ.get("EDU_FUZZ_EXAMPLES", "6"))
PHASES = os.environ.get("EDU_FUZZ_PHASES", "examples,fuzzing,stateful")
SEED = os.environ.get("EDU_FUZZ_SEED", "20261202")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "unsupported_method",
        "problem_details",
    ]
)


def _fuzz(base_url: str, headers: dict[str, str]) -> subprocess.CompletedProcess[str]:
    st = str(Path(sys.executable).with_name("st"))
    argv = [st, "--config-file", str(HERE / "schemathesis.toml"), "run"]
    argv += [f"{base_url}/openapi.json", "--checks", CHECKS, "--phases", PHASES]
    argv += ["--max-examples", str(EXAMPLES), "--seed", SEED, "--workers", "1"]
    argv += ["--request-timeout", "30", "--wait-for-schema", "30", "--no-color"]
    argv += [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    env = os.environ | {"SCHEMATHESIS_HOOKS": "fuzz_hooks", "PYTHONPATH": str(HERE)}
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900, check=False)


@pytest.mark.parametrize("service", SERVICES)
def test_fuzzing_finds_nothing(live_stack: Any, service: str) -> None:
    base = live_stack.stack.url(service)
    with ThreadPoolExecutor(max_workers=len(ROLES)) as pool:
        runs = dict(
            zip(ROLES, pool.map(lambda r: _fuzz(base, live_stack.headers[r]), ROLES), strict=True)
        )
    report = []
    for role, run in runs.items():
        found = re.search(r"(\d+) generated", run.stdout)
        report.append(f"{service} as {role}: {found.group(0) if found else 'no cases'}")
        assert run.returncode == 0, (
            f"{service} as {role}:\n{run.stdout[-6000:]}{run.stderr[-2000:]}"
        )
        # A run that generated nothing proves nothing.
        assert found, run.stdout[-2000:]
        assert int(found.group(1)) > 0, run.stdout[-2000:]
    print("\n".join(report))

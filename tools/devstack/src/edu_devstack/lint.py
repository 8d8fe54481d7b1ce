"""`edu lint`: the checks CI runs on the code, the same on a developer's machine.

ruff (lint and format), mypy (strict) over the shared library, the dev stack and each
service and over each test suite (from its own project directory), and the import
contracts: a service imports only itself and `edu_common`,
`edu_common` imports no service, and the tests of a service import no other service.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edu_devstack.services import COMPONENTS, installed

SHARED = "edu_common"
DEVSTACK = "edu_devstack"
SHARED_SOURCES = ("libs/py/common/src", "tools/devstack/src")
# Tools beside the dev stack: checked with it, never on a service's path.
TOOL_SOURCES = ("tools/seed/src", "tools/locust/src")
# The projects whose test suite (each a package named `tests`, beside `src`) mypy checks;
# the whole-platform flows live in the workspace's own tests/flows.
TYPED_SUITES = (
    "tools/devstack",
    "tools/seed",
    "tools/locust",
    "apps/web",
    ".",
    "services/py/enrollment",
    "services/py/payment",
    "services/py/course",
    "services/py/notification",
    "services/py/identity",
    "libs/py/common",
)


@dataclass(frozen=True)
class Contract:
    """One import-linter contract, written out as TOML."""

    name: str
    type: str
    fields: dict[str, list[str]]

    def toml(self) -> str:
        lines = ["[[tool.importlinter.contracts]]", f"name = {_quote(self.name)}"]
        lines.append(f"type = {_quote(self.type)}")
        lines += [f"{key} = {_list(values)}" for key, values in self.fields.items()]
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportCheck:
    """Contracts over a set of root packages, found on `path` (beside the installed ones)."""

    what: str
    root_packages: list[str]
    contracts: list[Contract]
    path: Path | None = None

    def config(self) -> str:
        head = f"[tool.importlinter]\nroot_packages = {_list(self.root_packages)}\n"
        return head + "\n\n".join(c.toml() for c in self.contracts) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_quote(v) for v in values) + "]"


def _with_path(key: str, paths: Sequence[Path]) -> dict[str, str]:
    """This process's environment with `paths` put first on the search path `key`."""
    env = dict(os.environ)
    env[key] = os.pathsep.join([*map(str, paths), *filter(None, [env.get(key)])])
    return env


def import_checks(root: Path, built: Callable[[str], bool] = installed) -> list[ImportCheck]:
    """The import contracts of the workspace, one check per set of root packages: the sources
    of every built service, then the tests of each service and of the shared library."""
    services = [c for c in COMPONENTS if built(c.name)]
    names = [c.name for c in services]
    checks = [
        ImportCheck(
            "sources",
            [SHARED, DEVSTACK, *names],
            [
                Contract("services never import each other", "independence", {"modules": names}),
                Contract(
                    "services import no dev tooling",
                    "forbidden",
                    {"source_modules": names, "forbidden_modules": [DEVSTACK]},
                ),
                Contract(
                    f"{SHARED} imports no service",
                    "forbidden",
                    {"source_modules": [SHARED], "forbidden_modules": [*names, DEVSTACK]},
                ),
            ],
        )
    ]
    suites = [(c.name, root / c.project) for c in services]
    suites.append((SHARED, root / "libs/py/common"))
    for owner, project in suites:
        if not (project / "tests").is_dir():
            continue
        others = [n for n in names if n != owner]
        checks.append(
            ImportCheck(
                f"tests of {owner}",
                ["tests", SHARED, *names],
                [
                    Contract(
                        f"tests of {owner} import no other service",
                        "forbidden",
                        {"source_modules": ["tests"], "forbidden_modules": others},
                    )
                ],
                path=project,
            )
        )
    return checks


@dataclass
class Lint:
    root: Path
    out: Callable[[str], None] = print
    failed: list[str] = field(default_factory=list)

    def _run(
        self,
        what: str,
        argv: list[str],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.out(f"== {what}")
        code = subprocess.call(argv, cwd=cwd or self.root, env=env)  # noqa: S603 - our tools
        if code != 0:
            self.failed.append(what)

    def ruff(self) -> None:
        self._run("ruff check", [sys.executable, "-m", "ruff", "check", "."])
        self._run("ruff format --check", [sys.executable, "-m", "ruff", "format", "--check", "."])

    def mypy(self) -> None:
        mypy = [sys.executable, "-m", "mypy"]
        tools = [p for p in TOOL_SOURCES if (self.root / p).is_dir()]
        self._run("mypy: shared library, dev stack and tools", [*mypy, *SHARED_SOURCES, *tools])
        shared = [self.root / p for p in SHARED_SOURCES]
        for component in COMPONENTS:
            src = self.root / component.project / "src"
            if src.is_dir():
                env = _with_path("MYPYPATH", shared)
                self._run(f"mypy: {component.name}", [*mypy, str(src)], env)
        for project in TYPED_SUITES:
            self.mypy_suite(project)

    def mypy_suite(self, project: str) -> None:
        """One suite's `tests`, checked from its project (where it is found, and only there)
        with the workspace's configuration and a cache of its own: every suite is `tests`."""
        root = self.root.resolve()  # the suite runs elsewhere: every path is absolute
        directory = root / project
        tests = directory / "tests"
        if not tests.is_dir():
            return
        config = root / "pyproject.toml"
        cache = root / ".mypy_cache" / ("tests-" + project.replace("/", "-"))
        argv = [sys.executable, "-m", "mypy", "--config-file", str(config)]
        argv += ["--cache-dir", str(cache), "--explicit-package-bases", "tests"]
        # A suite's own helpers beside its tests (the web app's `fakes`) import as top-level.
        sources = [tests, directory / "src", *(root / p for p in SHARED_SOURCES)]
        if directory == root:  # the flows drive every service
            sources += [root / c.project / "src" for c in COMPONENTS]
        env = _with_path("MYPYPATH", [p for p in sources if p.is_dir()])
        self._run(f"mypy: tests of {project}", argv, env, cwd=directory)

    def imports(self) -> None:
        for check in import_checks(self.root):
            self.import_check(check)

    def import_check(self, check: ImportCheck) -> None:
        linter = str(Path(sys.executable).with_name("lint-imports"))
        with tempfile.TemporaryDirectory(prefix="edu-lint-") as tmp:
            config = Path(tmp) / "contracts.toml"
            config.write_text(check.config())
            argv = [linter, str(config), "--no-cache", "--no-logo"]
            # A suite's `tests` is found from its project directory, and only there.
            env = _with_path("PYTHONPATH", [check.path]) if check.path else None
            self._run(f"import contracts: {check.what}", argv, env, cwd=check.path)

    def all(self) -> int:
        self.ruff()
        self.mypy()
        self.imports()
        if self.failed:
            self.out("edu lint: failed: " + ", ".join(self.failed))
            return 1
        self.out("edu lint: all checks passed")
        return 0

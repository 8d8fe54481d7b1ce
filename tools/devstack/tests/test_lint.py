"""`edu lint`'s import contracts: what they cover, and that a broken one fails the lint."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from edu_devstack.lint import Lint, import_checks
from edu_devstack.services import COMPONENTS
from edu_devstack.settings import find_root

ROOT = find_root(Path(__file__).parent)


def test_every_service_and_its_tests_are_under_contract() -> None:
    checks = {check.what: check for check in import_checks(ROOT)}
    sources = checks["sources"]
    names = [c.name for c in COMPONENTS]
    [independence] = [c for c in sources.contracts if c.type == "independence"]
    assert independence.fields["modules"] == names
    shared = [c for c in sources.contracts if c.fields.get("source_modules") == ["edu_common"]]
    assert set(shared[0].fields["forbidden_modules"]) >= set(names)
    for name in names:
        [contract] = checks[f"tests of {name}"].contracts
        assert set(contract.fields["forbidden_modules"]) == set(names) - {name}
    assert "tests of edu_common" in checks


def test_a_service_test_importing_another_service_fails(tmp_path: Path) -> None:
    enrollment = next(c for c in import_checks(ROOT) if c.what == "tests of enrollment")
    (tmp_path / "tests").mkdir()
    test_file = tmp_path / "tests" / "test_sneaky.py"
    check = dataclasses.replace(enrollment, path=tmp_path)

    test_file.write_text(
        "from edu_common.errors import AppError\nfrom enrollment.app import create_app\n"
    )
    lint = Lint(ROOT, out=lambda _: None)
    lint.import_check(check)
    assert lint.failed == []

    test_file.write_text("from payment.app import create_app\n")
    lint.import_check(check)
    assert lint.failed == ["import contracts: tests of enrollment"]

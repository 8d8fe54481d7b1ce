"""The `edu` command without a running stack: clear errors, mail listing, data directory."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from edu_devstack import cli
from edu_devstack.environment import service_env
from edu_devstack.mailsink import read_mails, store_message
from edu_devstack.processes import StackError, free_port
from edu_devstack.settings import find_root
from edu_devstack.stack import Stack


def test_port_in_use_names_the_port_and_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("EDU_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("EDU_PG_PORT", str(port))
        for name in ("VALKEY", "NATS", "SMTP"):
            monkeypatch.setenv(f"EDU_{name}_PORT", str(free_port()))
        for name in ("IDENTITY", "COURSE", "ENROLLMENT", "PAYMENT", "NOTIFICATION"):
            monkeypatch.setenv(f"EDU_{name}_PORT", str(free_port()))

        assert cli.main(["up", "--detach"]) == 1

    err = capsys.readouterr().err
    assert f"port {port} is already in use" in err
    assert "EDU_PG_PORT" in err


def test_one_port_for_two_parts_is_refused(tmp_path: Path) -> None:
    port = free_port()
    env = {"EDU_HOME": str(tmp_path), "EDU_PG_PORT": str(port), "EDU_VALKEY_PORT": str(port)}
    stack = Stack.from_env(env)
    with pytest.raises(StackError, match="EDU_VALKEY_PORT"):
        stack.check_ports([])


def test_bad_port_setting_is_named(tmp_path: Path) -> None:
    with pytest.raises(StackError, match="EDU_NATS_PORT"):
        Stack.from_env({"EDU_HOME": str(tmp_path), "EDU_NATS_PORT": "nats"})


def test_service_ports_follow_the_environment(tmp_path: Path) -> None:
    stack = Stack.from_env({"EDU_HOME": str(tmp_path), "EDU_IDENTITY_PORT": "9101"})
    ports = {s.name: s.port for s in stack.settings.services}
    assert ports["identity"] == 9101
    assert ports["course"] == 8002


def test_mail_lists_messages_oldest_first_with_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mail_dir = tmp_path / "mail"
    store_message(
        mail_dir,
        "noreply@eduplatform.com",
        ["student@eduplatform.com"],
        b"Subject: Verify your email\r\n\r\nOpen http://127.0.0.1:8001/verify?token=abc now.\r\n",
    )
    store_message(
        mail_dir,
        "noreply@eduplatform.com",
        ["teacher@eduplatform.com"],
        b"Subject: Reset your password\r\nContent-Type: text/plain\r\n\r\n"
        b"Reset: https://edu.example/reset?token=xyz\r\n",
    )
    mails = read_mails(mail_dir)
    assert [m.data["subject"] for m in mails] == ["Verify your email", "Reset your password"]
    assert mails[0].data["from"] == "noreply@eduplatform.com"
    assert mails[0].data["received_at"]

    monkeypatch.setenv("EDU_HOME", str(tmp_path))
    assert cli.main(["mail"]) == 0
    out = capsys.readouterr().out
    assert out.index("student@eduplatform.com") < out.index("teacher@eduplatform.com")
    assert "link:    http://127.0.0.1:8001/verify?token=abc" in out
    assert "link:    https://edu.example/reset?token=xyz" in out


def test_mail_without_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EDU_HOME", str(tmp_path))
    assert cli.main(["mail"]) == 0
    assert "no mail yet" in capsys.readouterr().out


def test_root_is_the_workspace(tmp_path: Path) -> None:
    root = find_root(Path(__file__).parent)
    assert (root / "pyproject.toml").is_file()
    assert (root / "tools" / "devstack").is_dir()


def test_workers_start_services_in_production_without_demo_data(tmp_path: Path) -> None:
    stack = Stack.from_env({"EDU_HOME": str(tmp_path)})
    stack.settings.workers = 3
    dirs = set()
    services = [s for s in stack.settings.services if s.name != "web"]
    for service in services:
        env = service_env(stack.settings, stack.secrets, service)
        p = service.env_prefix
        assert env[f"{p}ENVIRONMENT"] == "production"
        assert env[f"{p}WORKERS"] == "3"
        assert env[f"{p}CURSOR_SECRET"]
        assert env[f"{p}JWT_PUBLIC_KEY"]
        assert "EDU_COURSE_SEED_DEMO_DATA" not in env
        assert "EDU_IDENTITY_SEED_DEMO_USERS" not in env
        dirs.add(env["PROMETHEUS_MULTIPROC_DIR"])
    assert len(dirs) == len(services)
    identity = service_env(stack.settings, stack.secrets, services[0])
    assert identity["EDU_IDENTITY_JWT_PRIVATE_KEY"]


def test_one_service_may_have_its_own_number_of_workers(tmp_path: Path) -> None:
    stack = Stack.from_env({"EDU_HOME": str(tmp_path), "EDU_COURSE_WORKERS": "2"})
    stack.settings.workers = 1
    by_name = {s.name: s for s in stack.settings.services}
    course = service_env(stack.settings, stack.secrets, by_name["course"])
    assert course["EDU_COURSE_WORKERS"] == "2"
    assert course["PROMETHEUS_MULTIPROC_DIR"].endswith("course")
    identity = service_env(stack.settings, stack.secrets, by_name["identity"])
    assert identity["EDU_IDENTITY_WORKERS"] == "1"
    assert "PROMETHEUS_MULTIPROC_DIR" not in identity


def test_without_workers_the_stack_is_for_development(tmp_path: Path) -> None:
    stack = Stack.from_env({"EDU_HOME": str(tmp_path)})
    service = next(s for s in stack.settings.services if s.name == "identity")
    identity = service_env(stack.settings, stack.secrets, service)
    assert identity["EDU_IDENTITY_ENVIRONMENT"] == "development"
    assert identity["EDU_IDENTITY_SEED_DEMO_USERS"] == "true"
    assert "EDU_IDENTITY_WORKERS" not in identity
    assert "PROMETHEUS_MULTIPROC_DIR" not in identity


def test_workers_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["up", "--workers", "0"])
    assert "between 1 and 64" in capsys.readouterr().err

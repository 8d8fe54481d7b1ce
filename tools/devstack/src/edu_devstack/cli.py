"""`edu`: the developer entry point of EduPlatform.

edu up [--detach] [--workers N]
                    start PostgreSQL, Valkey, NATS, the mail sink and every service
edu down            stop everything started from this data directory
edu status          each part: running or stopped, port, readiness
edu reset           stop and wipe the data directory
edu mail            mail the sink received, with the links in it
edu lint            the checks CI runs: ruff, mypy, import contracts
edu test [args]     run every test (pytest), passing args through
edu seed --scale S  generated data at scale in every service's database (tools/seed)
edu bench SCENARIO  a headless load run against the stack, written up (tools/locust)
edu soak --rate R --duration D
                    the load mix with faults injected one after another, then the count
                    check, written up (tools/locust)
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import FrameType

from edu_common.demo import DEMO_PASSWORD, DEMO_USERS

from edu_devstack.lint import Lint
from edu_devstack.mailsink import read_mails
from edu_devstack.processes import StackError
from edu_devstack.services import Service
from edu_devstack.settings import find_root
from edu_devstack.stack import Stack
from edu_devstack.status import stack_status


def _print(msg: str = "") -> None:
    print(msg, flush=True)


def _err(msg: str) -> None:
    print(f"edu: {msg}", file=sys.stderr, flush=True)


class _StopRequestedError(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _StopRequestedError


def cmd_up(args: argparse.Namespace) -> int:
    stack = Stack.from_env()
    stack.settings.workers = args.workers
    started = time.monotonic()
    services = stack.settings.installed_services()
    _print(f"edu: starting the stack in {stack.settings.home}")
    if not services:
        _print("edu: no service is built yet; starting the infrastructure only")
    offsets = {s.name: _size(s.process().log_path) for s in services}
    # SIGTERM stops the stack the same way Ctrl-C does, also while it is starting.
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        try:
            stack.up()
        except (StackError, _StopRequestedError, KeyboardInterrupt) as exc:
            if isinstance(exc, StackError):
                _err(str(exc))
            _print("edu: stopping what was started")
            stack.down()
            return 1
        elapsed = time.monotonic() - started
        _print_ready(stack, services, elapsed)
        if args.detach:
            _print("edu: running in the background; `edu down` stops it")
            return 0
        _print("edu: streaming logs; Ctrl-C stops everything\n")
        with contextlib.suppress(_StopRequestedError, KeyboardInterrupt):
            _stream_logs(services, offsets)
        _print("\nedu: stopping")
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.down()
        _print("edu: stopped")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _print_ready(stack: Stack, services: list[Service], elapsed: float) -> None:
    settings = stack.settings
    _print(f"\nEduPlatform is ready in {elapsed:.1f} s\n")
    width = max([len(s.name) for s in services] + [10])
    # The web app first: it is what a person opens.
    for service in services:
        if service.name == "web":
            _print(f"  Open {service.url} in your browser\n")
    for service in services:
        if service.name != "web":
            _print(f"  {service.name:<{width}}  {service.url}   (API docs: {service.url}/docs)")
    _print(f"  {'postgresql':<{width}}  {settings.database_url('<service>')}")
    _print(f"  {'valkey':<{width}}  {settings.redis_url()}")
    _print(f"  {'nats':<{width}}  {settings.nats_url()}")
    _print(
        f"  {'mail sink':<{width}}  smtp://127.0.0.1:{settings.smtp_port}  (`edu mail` lists it)"
    )
    if settings.workers is not None:
        _print(f"\nProduction mode, {settings.workers} worker(s) per service, no demo data.")
    elif any(s.name == "identity" for s in services):
        _print("\nDemo logins:")
        for user in DEMO_USERS:
            _print(f"  {user.role:<8} {user.email} / {DEMO_PASSWORD}")
    _print(f"\nLogs: {settings.home / 'logs'}")


def _stream_logs(services: list[Service], offsets: dict[str, int]) -> None:
    handles = {}
    width = max([len(s.name) for s in services] + [1])
    for service in services:
        path = service.process().log_path
        fh = path.open("r", errors="replace")
        fh.seek(offsets.get(service.name, 0))
        handles[service.name] = fh
    buffers = dict.fromkeys(handles, "")
    dead: set[str] = set()
    try:
        while True:
            idle = True
            for name, fh in handles.items():
                chunk = fh.read()
                if not chunk:
                    continue
                idle = False
                buffers[name] += chunk
                *lines, buffers[name] = buffers[name].split("\n")
                for line in lines:
                    print(f"{name:<{width}} | {line}", flush=True)
            for service in services:
                if service.name not in dead and not service.process().is_running():
                    dead.add(service.name)
                    _err(f"{service.name} has stopped; see {service.process().log_path}")
            if idle:
                time.sleep(0.2)
    finally:
        for fh in handles.values():
            fh.close()


def cmd_down(args: argparse.Namespace) -> int:
    stack = Stack.from_env()
    stack.settings.load_state()
    was_running = stack.anything_running()
    stack.down()
    _print("edu: stopped" if was_running else "edu: nothing was running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    stack = Stack.from_env()
    stack.settings.load_state()
    _print(f"data directory: {stack.settings.home}")
    _print(f"{'part':<14} {'state':<8} {'port':<6} readiness")
    for name, running, port, readiness in stack_status(stack):
        state = "running" if running else "stopped"
        _print(f"{name:<14} {state:<8} {port if port else '-':<6} {readiness}")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    stack = Stack.from_env()
    stack.settings.load_state()
    if stack.anything_running():
        stack.down()
    stack.wipe()
    _print(f"edu: wiped {stack.settings.home}")
    return 0


def cmd_mail(args: argparse.Namespace) -> int:
    stack = Stack.from_env()
    mails = read_mails(stack.settings.mail_dir)
    if not mails:
        _print(f"no mail yet (the sink stores it in {stack.settings.mail_dir})")
        return 0
    for mail in mails[-args.limit :] if args.limit else mails:
        data = mail.data
        to = ", ".join(data.get("to", []))
        _print(f"{data.get('received_at', '?')}  to {to}")
        _print(f"  subject: {data.get('subject', '')}")
        for link in mail.links:
            _print(f"  link:    {link}")
        if args.body:
            for line in str(data.get("body", "")).splitlines():
                _print(f"  | {line}")
        _print()
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    return Lint(find_root(), out=_print).all()


def cmd_test(args: argparse.Namespace, extra: list[str]) -> int:
    root = find_root()
    argv = [sys.executable, "-m", "pytest", *extra]
    return subprocess.call(argv, cwd=root)  # noqa: S603 - our own interpreter, user's args


def _worker_count(raw: str) -> int:
    try:
        count = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of workers") from None
    if not 1 <= count <= 64:
        raise argparse.ArgumentTypeError("the number of workers is between 1 and 64")
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edu",
        description="EduPlatform development stack.",
        epilog="Data lives in .edu/ at the repository root (EDU_HOME overrides).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", help="start the platform with demo data")
    up.add_argument("--detach", "-d", action="store_true", help="return once ready")
    up.add_argument(
        "--workers",
        type=_worker_count,
        metavar="N",
        help="N worker processes per service, in production mode: no demo data or logins",
    )
    sub.add_parser("down", help="stop everything")
    sub.add_parser("status", help="show what is running")
    sub.add_parser("reset", help="stop and wipe the data directory")
    mail = sub.add_parser("mail", help="list mail the local SMTP sink received")
    mail.add_argument("--body", action="store_true", help="print each message's body too")
    mail.add_argument("-n", "--limit", type=int, default=0, help="only the last N messages")
    sub.add_parser("lint", help="run the checks CI runs: ruff, mypy, import contracts")
    sub.add_parser("test", help="run the tests (pytest arguments pass through)", add_help=False)
    sub.add_parser("seed", help="seed generated data at scale (`edu seed --help`)", add_help=False)
    sub.add_parser("bench", help="run a load scenario, write a report (`edu bench --help`)",
                   add_help=False)  # fmt: skip
    sub.add_parser("soak", help="the mix under injected faults, counts checked (`edu soak --help`)",
                   add_help=False)  # fmt: skip
    return parser


def cmd_tool(command: str, argv: list[str]) -> int:
    """`edu seed`, `edu bench` and `edu soak` live in their own packages, with their own
    arguments."""
    if command == "seed":
        from edu_seed.cli import main as seed_main

        return seed_main(argv)
    if command == "soak":
        from edu_load.soak import main as soak_main

        return soak_main(argv)
    from edu_load.cli import main as bench_main

    return bench_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    if argv and argv[0] == "test":
        try:
            return cmd_test(argparse.Namespace(), argv[1:])
        except StackError as exc:
            _err(str(exc))
            return 2
    if argv and argv[0] in ("seed", "bench", "soak"):
        try:
            return cmd_tool(argv[0], argv[1:])
        except StackError as exc:
            _err(str(exc))
            return 1
        except KeyboardInterrupt:
            return 130
    args = build_parser().parse_args(argv)
    handlers = {
        "up": cmd_up,
        "down": cmd_down,
        "status": cmd_status,
        "reset": cmd_reset,
        "mail": cmd_mail,
        "lint": cmd_lint,
    }
    try:
        return handlers[args.command](args)
    except StackError as exc:
        _err(str(exc))
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

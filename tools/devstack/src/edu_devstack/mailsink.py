"""A local SMTP server that accepts every message and keeps it as a JSON file.

Run as `python -m edu_devstack.mailsink --port 1025 --dir .edu/mail`; `edu mail` lists what
arrived (verification and password-reset links included).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

LINK_RE = re.compile(r"https?://[^\s<>\"')\]]+")


def _body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        payload = msg.get_payload(decode=True)
        return payload.decode(errors="replace") if isinstance(payload, bytes) else ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


def store_message(directory: Path, mail_from: str, rcpt_tos: list[str], content: bytes) -> Path:
    """Writes one received message as JSON; the file name sorts in arrival order."""
    msg = message_from_bytes(content, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    record = {
        "from": mail_from,
        "to": list(rcpt_tos),
        "subject": str(msg.get("Subject", "")),
        "body": _body_text(msg),
        "received_at": datetime.now(UTC).isoformat(),
    }
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
    tmp = directory / f".{name}.tmp"
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    final = directory / name
    tmp.replace(final)
    return final


@dataclass
class Mail:
    path: Path
    data: dict[str, Any]

    @property
    def links(self) -> list[str]:
        return LINK_RE.findall(str(self.data.get("body", "")))


def read_mails(directory: Path) -> list[Mail]:
    """Every stored message, oldest first."""
    if not directory.is_dir():
        return []
    mails = []
    for path in sorted(directory.glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            mails.append(Mail(path, json.loads(path.read_text())))
    return mails


class _Handler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        path = store_message(self.directory, envelope.mail_from, envelope.rcpt_tos, content)
        print(f"stored mail to {', '.join(envelope.rcpt_tos)} as {path.name}", flush=True)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    from aiosmtpd.smtp import SMTP

    handler = _Handler(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), host=host, port=port)
    print(f"mail sink listening on {host}:{port}, storing in {directory}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="edu-mailsink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=Path(".edu/mail"))
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.dir))


if __name__ == "__main__":
    main()

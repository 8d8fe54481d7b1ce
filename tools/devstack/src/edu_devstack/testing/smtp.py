"""A fake SMTP server's mailbox: the mail server is outside our system, so tests receive
what a service sends and read it back."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from typing import Any

from edu_devstack.testing.polling import eventually

_TOKEN = re.compile(r"token=([A-Za-z0-9_%-]+)")


@dataclass
class Mail:
    """One message as the fake SMTP server received it."""

    recipient: str
    subject: str
    body: str

    @property
    def token(self) -> str:
        found = _TOKEN.search(self.body)
        assert found, self.body
        return found.group(1)


@dataclass
class Mailbox:
    """Messages the fake SMTP server received (shared by the whole session)."""

    messages: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        for rcpt in envelope.rcpt_tos:
            self.messages.append(Mail(rcpt.lower(), str(message["Subject"]), text))
        return "250 OK"

    def to(self, recipient: str, subject_has: str = "") -> list[Mail]:
        return [
            m
            for m in self.messages
            if m.recipient == recipient.lower() and subject_has.lower() in m.subject.lower()
        ]

    async def wait_for(self, recipient: str, subject_has: str = "", count: int = 1) -> list[Mail]:
        """The messages to `recipient` (with `subject_has`) once there are `count` of them."""

        async def arrived() -> list[Mail]:
            found = self.to(recipient, subject_has)
            return found if len(found) >= count else []

        try:
            return await eventually(arrived, timeout=5)
        except AssertionError:
            raise AssertionError(
                f"no mail {subject_has!r} to {recipient}: {self.messages}"
            ) from None

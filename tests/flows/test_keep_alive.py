"""An idle keep-alive connection outlives the client's own idle expiry.

httpx (the web app's and enrollment's client of the services) reuses an idle connection for
5 s. A server that closes idle connections after the same 5 s (uvicorn's default) races it: a
request sent just as the server closes is lost, and the client sees "server disconnected"
without an answer. The server's idle timeout (`keep_alive_seconds`) is therefore longer."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from edu_common.security.keys import SigningKey
from edu_devstack.testing import service_process

if TYPE_CHECKING:
    from edu_devstack.testing import TestServers

# Beyond httpx's default keep-alive expiry, the longest a client of ours keeps a connection.
CLIENT_IDLE_EXPIRY = httpx.Limits().keepalive_expiry or 5.0
REQUEST = b"GET /health/live HTTP/1.1\r\nHost: edu\r\n\r\n"


async def _answer(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return head.split(b"\r\n", 1)[0]


async def test_an_idle_connection_stays_open_past_the_clients_expiry(
    edu_servers: TestServers, signing_key: SigningKey
) -> None:
    async with service_process(edu_servers, signing_key, "course") as course:
        url = urlsplit(course.url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        try:
            writer.write(REQUEST)
            assert await _answer(reader) == b"HTTP/1.1 200 OK"

            # Idle for a second longer than the client would keep the connection: the server
            # neither closes it nor sends anything (a close would end this read with b"").
            try:
                early = await asyncio.wait_for(reader.read(1), CLIENT_IDLE_EXPIRY + 1)
            except TimeoutError:
                early = None
            assert early is None, (
                f"the server closed an idle connection after < {CLIENT_IDLE_EXPIRY + 1} s"
            )

            writer.write(REQUEST)
            assert await _answer(reader) == b"HTTP/1.1 200 OK"
        finally:
            writer.close()

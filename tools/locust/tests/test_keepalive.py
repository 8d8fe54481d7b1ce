"""The generator reuses its keep-alive connections above file descriptor 1023 too."""

from __future__ import annotations

import contextlib
import os
import resource
import select
import socket
from collections.abc import Iterator

import pytest
from edu_load.keepalive import GEVENTHTTPCLIENT_CHECK, idle_socket_alive, keep_connections
from geventhttpclient.connectionpool import ConnectionPool


@contextlib.contextmanager
def descriptors_above(n: int) -> Iterator[None]:
    """Holds enough descriptors open that the next socket's is above `n`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 100), hard))
    held: list[int] = []
    try:
        probe = os.open(os.devnull, os.O_RDONLY)
        held.append(probe)
        held.extend(os.dup(probe) for _ in range(max(0, n - probe)))
        yield
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def wait_readable(sock: socket.socket) -> None:
    """Blocks until the peer's close has reached `sock` (the close is the signal, 5 s bound)."""
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN | select.POLLHUP)
    assert poller.poll(5000), "the peer's close never arrived"


def test_an_open_idle_connection_on_a_high_descriptor_is_alive(listener: socket.socket) -> None:
    with descriptors_above(1100):
        client = socket.create_connection(listener.getsockname())
        server_side, _ = listener.accept()
        with client, server_side:
            assert client.fileno() > 1023
            assert idle_socket_alive(None, client)
            # What geventhttpclient's own check says: dead, so the pool would reconnect. (When
            # a release of it says alive, `edu_load.keepalive` has done its part.)
            assert not GEVENTHTTPCLIENT_CHECK(None, client)  # type: ignore[arg-type]

            server_side.close()
            wait_readable(client)
            assert not idle_socket_alive(None, client)


def test_unread_bytes_on_an_idle_connection_make_it_unusable(listener: socket.socket) -> None:
    client = socket.create_connection(listener.getsockname())
    server_side, _ = listener.accept()
    with client, server_side:
        assert idle_socket_alive(None, client)
        server_side.sendall(b"HTTP/1.1 200 OK\r\n")
        wait_readable(client)
        assert not idle_socket_alive(None, client)
    assert not idle_socket_alive(None, client)  # closed: descriptor -1
    assert not idle_socket_alive(None, None)


def test_the_pool_hands_the_same_connection_out_again(
    listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through geventhttpclient's own pool, as the locustfile's users have it."""
    port = listener.getsockname()[1]
    # Put back as it was after the test; the locustfile makes the change for good.
    monkeypatch.setattr(ConnectionPool, "_is_socket_alive", ConnectionPool._is_socket_alive)
    keep_connections()
    pool = ConnectionPool("127.0.0.1", port, "127.0.0.1", port, size=1)
    try:
        with descriptors_above(1100):
            first = pool.get_socket()
            assert first.fileno() > 1023
            pool.return_socket(first)
            again = pool.get_socket()
            assert again is first
            pool.return_socket(again)
    finally:
        pool.close()

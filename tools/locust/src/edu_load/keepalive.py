"""Keep-alive connections the load generator keeps, whatever their file descriptor.

geventhttpclient (2.6.1, the newest) checks an idle pooled connection before reusing it by
asking `select()` whether the socket is readable (a server that closed it would make it so).
`select()` cannot watch a descriptor above 1023 and raises, which the pool takes for a dead
connection: it closes the socket and opens a new one. The mix's 500 users hold about 2,500
connections, so most requests went out on a new connection, each with its own name lookup,
handshake and teardown, on the generator and on the service alike (measured at 400 users:
2,263 idle connections to course refused and 2,663 opened in a minute; optimization log,
section 26). `poll()` has no such limit.
"""

from __future__ import annotations

import select
from typing import Any

from gevent import monkey
from geventhttpclient.connectionpool import ConnectionPool

# The blocking poll of the standard library, also under locust's monkey-patching: a poll with
# no timeout returns at once, and gevent's cooperative one is not needed for it.
_poll: Any = monkey.get_original("select", "poll")
_CLOSED_OR_READABLE = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP

GEVENTHTTPCLIENT_CHECK = ConnectionPool._is_socket_alive


def idle_socket_alive(pool: object, sock: Any) -> bool:
    """Whether a pooled idle connection can carry the next request: still open, and nothing
    waiting to be read on it (an idle keep-alive connection has nothing to read unless its
    server closed it or broke the protocol)."""
    if sock is None:
        return False
    try:
        fd = sock.fileno()
        if fd < 0:
            return False
        poller = _poll()
        poller.register(fd, _CLOSED_OR_READABLE)
        return not poller.poll(0)
    except (OSError, ValueError):
        return False


def keep_connections() -> None:
    """Makes every geventhttpclient pool check idle connections with `idle_socket_alive`."""
    ConnectionPool._is_socket_alive = idle_socket_alive  # type: ignore[method-assign, assignment]

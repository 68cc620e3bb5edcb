"""The fault proxy closes everything it opened (issue 11 item 11).

Row 6 (`test_row6_flapping_network_everything_drains_once_stable`) failed once on a busy machine: a transport of the
proxy was still open when its loop closed, and the "unclosed transport" ResourceWarning the garbage collector
raised later became an error. Here the worst case is made on purpose — the proxy holds an answer the client never
reads (its write buffer cannot drain) when it is closed — and nothing may be left for the collector.
"""

from __future__ import annotations

import gc
import socket
import threading
import warnings
from collections.abc import Iterator

import pytest

from .proxy import FaultProxy

ANSWER = b"x" * (8 * 1024 * 1024)  # far more than the socket buffers hold


@pytest.fixture
def upstream() -> Iterator[tuple[int, threading.Event]]:
    """A server that answers every connection with ANSWER; `sent` is set once it is stuck writing."""
    server = socket.create_server(("127.0.0.1", 0))
    sent = threading.Event()
    conns: list[socket.socket] = []

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        conns.append(conn)
        conn.settimeout(0.5)
        view = memoryview(ANSWER)
        while view:
            try:
                n = conn.send(view)
            except TimeoutError:
                sent.set()  # the proxy stopped reading: its buffers towards the client are full
                continue
            except OSError:
                break
            view = view[n:]
        sent.set()

    thread = threading.Thread(target=serve, name="upstream", daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], sent
    finally:
        server.close()
        for conn in conns:
            conn.close()
        thread.join(timeout=10)


def test_closing_the_proxy_with_an_unread_answer_leaves_no_open_transport(
    upstream: tuple[int, threading.Event],
) -> None:
    port, sent = upstream
    proxy = FaultProxy(port).start()
    client = socket.create_connection(("127.0.0.1", proxy.port))
    try:
        client.sendall(b"GET / HTTP/1.1\r\n\r\n")
        assert sent.wait(timeout=30)  # the answer is stuck in the proxy: it writes faster than the client reads
        proxy.close()
    finally:
        client.close()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
    assert proxy._open == set()  # every connection the proxy made or accepted has lost its socket


def test_connections_accepted_as_the_proxy_closes_are_closed_too() -> None:
    """What row 6 hit: clients connecting while the proxy stops listening (its `refuse` mode, or `close()`)."""
    upstream = socket.create_server(("127.0.0.1", 0))
    proxy = FaultProxy(upstream.getsockname()[1]).start()
    gate, blocked = threading.Event(), threading.Event()

    def hold_the_loop() -> None:
        blocked.set()
        gate.wait(timeout=30)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        proxy._loop.call_soon_threadsafe(hold_the_loop)
        assert blocked.wait(timeout=30)
        # The kernel accepts these while the proxy's loop is busy; the loop sees them in the same turn as close().
        clients = [socket.create_connection(("127.0.0.1", proxy.port)) for _ in range(3)]
        closer = threading.Thread(target=proxy.close, name="closer")
        closer.start()
        while closer.is_alive() and not proxy._loop._ready:  # type: ignore[attr-defined]
            closer.join(timeout=0.01)  # close() has handed its shutdown to the loop
        gate.set()
        closer.join(timeout=30)
        for client in clients:
            client.close()
        upstream.close()
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
    assert proxy._open == set()

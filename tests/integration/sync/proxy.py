"""A small asyncio TCP proxy for fault tests (FAULTS.md harness), run in its own thread.

Modes, switched at any time through `set_mode()` or the line-based control socket (`MODE refuse\n`, `MODE
truncate 120\n`, `MODE delay 2.5\n`; answers `OK`):
- `pass`: forward both ways;
- `refuse`: stop listening (connects get ECONNREFUSED);
- `drop`: accept, read the request, close without answering;
- `reset`: accept, then abort the connection with a TCP RST;
- `delay S`: forward, but hold each upstream answer chunk for S seconds;
- `truncate N`: forward the request; pass only the first N bytes of the answer downstream, then close;
- `blackhole`: accept and never answer (the client's read timeout must fire);
- `shape BPS`: forward, each direction paced to BPS bytes per second over all connections (a slow line).
`bytes_up` / `bytes_down` count what passed each way (client → platform, platform → client), in every mode.
`truncate_once`/`drop_once` variants apply to one connection, then the proxy returns to `pass`.

Every connection the proxy makes or accepts (clients, upstream, control) is tracked from `connection_made` to
`connection_lost`; `close()` aborts the ones still open and waits until each has lost its socket before the loop
closes. A transport left for the garbage collector would warn ("unclosed transport", a ResourceWarning) at some
later, random moment — the suite turns that into an error in whatever test is running then (issue 11).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import threading
from collections.abc import Awaitable, Callable


class FaultProxy:
    def __init__(self, upstream_port: int, *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.tls = tls
        self.upstream_port = upstream_port
        self.mode = "pass"
        self.arg = 0.0
        self.once = False
        self.connections = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self._pacers: dict[str, _Pacer] = {}
        self.port = _free_port()
        self.control_port = _free_port()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._control: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self._tasks: set[asyncio.Task[None]] = set()
        self._open: set[asyncio.BaseTransport] = set()  # connected and not yet lost

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        self._call(self._listen())
        self._control = self._call(self._serve_on(self._on_control, self.control_port))
        return self

    def close(self) -> None:
        async def shutdown() -> None:
            for server in (self._server, self._control):
                if server is not None:
                    await _close_server(server)
            self._server = self._control = None
            # Abort whatever is connected (a handler that never ran, an answer the client never read); then end the
            # handlers; connection_lost runs on the next turns of the loop.
            for transport in list(self._open):
                transport.abort()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for _ in range(500):
                if not self._open:
                    break
                await asyncio.sleep(0.01)

        self._call(shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def set_mode(self, mode: str, arg: float = 0.0, *, once: bool = False) -> None:
        self._call(self._set_mode(mode, arg, once))

    def reset_counts(self) -> None:
        self.bytes_up = self.bytes_down = 0

    # --- internals ---------------------------------------------------------------------------------------

    def _pacer(self, direction: str, rate: float) -> _Pacer:
        pacer = self._pacers.get(direction)
        if pacer is None or pacer.rate != rate:
            pacer = self._pacers[direction] = _Pacer(rate)
        return pacer

    def _count_up(self, size: int) -> None:
        self.bytes_up += size

    def _count_down(self, size: int) -> None:
        self.bytes_down += size

    def _call(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def _protocol(
        self, on_connect: _Handler | None, reader: asyncio.StreamReader | None = None
    ) -> asyncio.StreamReaderProtocol:
        reader = reader or asyncio.StreamReader(loop=self._loop)
        return _TrackedProtocol(self._open, reader, on_connect, loop=self._loop)

    async def _serve_on(self, on_connect: _Handler, port: int, tls: ssl.SSLContext | None = None) -> asyncio.Server:
        return await self._loop.create_server(
            lambda: self._protocol(on_connect), self.host, port, reuse_address=True, ssl=tls
        )

    async def _connect_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader = asyncio.StreamReader(loop=self._loop)  # the protocol holds it weakly: keep it here
        protocol = self._protocol(None, reader)
        transport, _ = await self._loop.create_connection(lambda: protocol, self.host, self.upstream_port)
        return reader, asyncio.StreamWriter(transport, protocol, reader, self._loop)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await self._serve_on(self._on_client, self.port, self.tls)

    async def _set_mode(self, mode: str, arg: float, once: bool) -> None:
        self.mode, self.arg, self.once = mode, arg, once
        if mode == "refuse":
            if self._server is not None:
                server, self._server = self._server, None
                await _close_server(server)
        else:
            await self._listen()

    async def _on_control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            parts = line.decode().split()
            if len(parts) >= 2 and parts[0] == "MODE":
                await self._set_mode(parts[1], float(parts[2]) if len(parts) > 2 else 0.0, False)
                writer.write(b"OK\n")
            else:
                writer.write(b"ERR\n")
            await writer.drain()
        writer.close()

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self.connections += 1
        mode, arg = self.mode, self.arg
        if self.once and mode != "pass":
            self.mode, self.once = "pass", False
        try:
            await self._serve(mode, arg, reader, writer)
        except (ConnectionError, asyncio.CancelledError, OSError):
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(self, mode: str, arg: float, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if mode == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
        if mode == "drop":
            await reader.read(65536)
            return
        if mode == "blackhole":
            while await reader.read(65536):
                pass
            return
        up_reader, up_writer = await self._connect_upstream()
        try:
            shaped = mode == "shape" and arg > 0
            up_pacer = self._pacer("up", arg) if shaped else None
            down_pacer = self._pacer("down", arg) if shaped else None
            upstream = asyncio.ensure_future(_pump(reader, up_writer, pacer=up_pacer, count=self._count_up))
            limit = int(arg) if mode == "truncate" else None
            delay = arg if mode == "delay" else 0.0
            await _pump(up_reader, writer, limit=limit, delay=delay, pacer=down_pacer, count=self._count_down)
            upstream.cancel()
            await asyncio.gather(upstream, return_exceptions=True)
        finally:
            up_writer.close()
            with contextlib.suppress(Exception):
                await up_writer.wait_closed()


class _Pacer:
    """One direction of a line of `rate` bytes/s, shared by all connections (like a township's uplink)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.free_at = 0.0

    async def wait(self, size: int) -> None:
        loop = asyncio.get_running_loop()
        start = max(loop.time(), self.free_at)
        self.free_at = start + size / self.rate
        await asyncio.sleep(self.free_at - loop.time())


async def _pump(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    *,
    limit: int | None = None,
    delay: float = 0.0,
    pacer: _Pacer | None = None,
    count: Callable[[int], None] | None = None,
) -> None:
    sent = 0
    while data := await reader.read(4096 if pacer is not None else 65536):
        if delay:
            await asyncio.sleep(delay)
        if pacer is not None:
            await pacer.wait(len(data))
        if limit is not None:
            data = data[: max(0, limit - sent)]
        if count is not None:
            count(len(data))
        writer.write(data)
        await writer.drain()
        sent += len(data)
        if limit is not None and sent >= limit:
            break
    with contextlib.suppress(Exception):
        writer.close()


async def _close_server(server: asyncio.Server) -> None:
    """Stop listening without leaking a connection the kernel accepted just before.

    asyncio (3.11) builds the transport of an accepted connection a few loop turns after `accept()`; if the server
    is closed in between, `Server._attach` fails its assertion and the half-built transport is never closed (the
    collector later warns "unclosed transport"). So: stop accepting first, let the connections already accepted
    become transports (tracked, handled, aborted at close), then close the server.
    """
    loop = asyncio.get_running_loop()
    for sock in server.sockets:
        loop.remove_reader(sock.fileno())
    for _ in range(5):
        await asyncio.sleep(0)
    server.close()
    await server.wait_closed()


_Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class _TrackedProtocol(asyncio.StreamReaderProtocol):
    """A stream protocol whose transport is in `registry` from connection_made until connection_lost."""

    def __init__(
        self,
        registry: set[asyncio.BaseTransport],
        reader: asyncio.StreamReader,
        on_connect: _Handler | None,
        *,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        super().__init__(reader, on_connect, loop=loop)
        self._registry = registry
        self._transport_seen: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport_seen = transport
        self._registry.add(transport)
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport_seen is not None:
            self._registry.discard(self._transport_seen)
        super().connection_lost(exc)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

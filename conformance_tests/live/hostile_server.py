"""A raw-socket server on 127.0.0.1 that answers as the test says, however badly: for the
hostile-server tests (issue 15). Started and stopped by the test that uses it."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

Answer = Callable[[socket.socket], None]


def read_request(conn: socket.socket) -> bytes:
    """The request's head and as much of its body as came with it (enough for these tests)."""
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            break
        data += piece
    return data


def serving(answer: Answer) -> contextlib.AbstractContextManager[str]:
    """``http://127.0.0.1:PORT``: every connection is read, then ``answer``ed, then closed."""
    return serving_request(lambda conn, head: answer(conn))


@contextlib.contextmanager
def serving_request(answer: Callable[[socket.socket, bytes], None]) -> Iterator[str]:
    """As ``serving``, with the request's head (and what came with it) handed to ``answer``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            answer(conn, read_request(conn))

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()

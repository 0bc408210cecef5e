"""A loopback HTTP relay between a kiosk and the service that can lose an answer: the request reaches the
service and is acted on, and the answer never comes back (a network cut, or a power cut at the kiosk, at the
worst moment). One request per connection: the relay asks the service to close after each answer."""
from __future__ import annotations

import re
import socket
import threading
from typing import Callable


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    want = int(length.group(1)) if length else 0
    while len(body) < want:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    head = re.sub(rb"(?im)^connection:[^\r\n]*\r\n", b"", head + b"\r\n") + b"Connection: close\r\n"
    return head + b"\r\n" + body


class AnswerDropper:
    """Relays to ``upstream``; when ``drop(request_line)`` is true the service's answer is read and thrown
    away, ``on_drop()`` is called, and the kiosk's connection is closed with nothing sent."""

    def __init__(self, upstream: str, drop: Callable[[str], bool], on_drop: Callable[[], None] = lambda: None):
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.drop, self.on_drop = drop, on_drop
        self.dropped: list[str] = []
        self.seen: list[str] = []           # every request line relayed, in order
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            line = request.split(b"\r\n", 1)[0].decode("latin-1")
            self.seen.append(line)
            with socket.create_connection(self.upstream, timeout=30) as up:
                up.sendall(request)
                answer = b""
                while chunk := up.recv(65536):
                    answer += chunk
            if self.drop(line):
                self.dropped.append(line)
                self.on_drop()
                return
            conn.sendall(answer)

    def close(self) -> None:
        self._closing = True
        self._server.close()

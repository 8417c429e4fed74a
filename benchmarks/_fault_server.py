"""An OpenAI-compatible server on 127.0.0.1 that injects faults at random (for benchmarks/chaos.py).

Each request draws one behaviour by weight: a good answer, 429 with Retry-After, 500, 503, 401
(echoing the key it was sent), a truncated stream, an abrupt disconnect, a malformed chunk, a
stalled stream, an over-long answer that ignores max_tokens and overstates its usage, a 200 that
is HTML, or an answer that repeats the key split across chunks. It counts every request.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WEIGHTS = {"ok": 30, "r429": 8, "r500": 6, "r503": 6, "r401": 3, "truncated": 6, "disconnect": 6, "malformed": 5,
           "stall": 4, "overlong": 10, "html": 3, "echokey": 5}
WORDS = "The answer is forty two because six times seven is forty two".split()


def _chunk(content: str | None = None, finish: str | None = None, usage: dict | None = None) -> bytes:
    body = {"id": "c", "object": "chat.completion.chunk", "created": int(time.time()), "model": "m",
            "choices": [] if usage else [{"index": 0, "delta": {"content": content} if content else {},
                                          "finish_reason": finish}]}
    if usage:
        body["usage"] = usage
    return b"data: " + json.dumps(body).encode() + b"\n\n"


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, seed: int = 0, stall_s: float = 3.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.rng = random.Random(seed)
        self.stall_s = stall_s
        self.lock = threading.Lock()
        self.seen: list[str] = []  # behaviour of every request, in arrival order
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def draw(self) -> str:
        with self.lock:
            b = self.rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
            self.seen.append(b)
            return b

    def handle_error(self, request, client_address):
        pass  # clients hang up on stalls and over-long answers: expected

    def stop(self):
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _json(self, code: int, body: dict, headers: dict | None = None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _send(self, data: bytes):  # one HTTP/1.1 chunk
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def do_POST(self):
        srv: FaultServer = self.server
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        b = srv.draw()
        if b == "r429":
            return self._json(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                              {"Retry-After": "0.2"})
        if b in ("r500", "r503"):
            return self._json(int(b[1:]), {"error": {"message": "upstream trouble", "type": "server_error"}})
        if b == "r401":
            return self._json(401, {"error": {"message": f"Incorrect API key provided: {key}", "code": "invalid_api_key"}})
        if b == "html":
            data = b"<html><body>502 Bad Gateway</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        words = [w + " " for w in WORDS]
        usage = {"prompt_tokens": 12, "completion_tokens": len(words), "total_tokens": 12 + len(words)}
        if b == "overlong":
            words = [f"word{i} " for i in range(300)]
            usage = {"prompt_tokens": 12, "completion_tokens": 50_000, "total_tokens": 50_012}
        elif b == "echokey":
            words = ["your key: ", key[:4], key[4:], " done"]
        try:
            for i, w in enumerate(words):
                self._send(_chunk(w))
                if b == "truncated" and i == 3:
                    self.wfile.write(b"0\r\n\r\n")  # the stream ends cleanly, without a finish
                    return
                if b == "disconnect" and i == 3:
                    self.connection.shutdown(socket.SHUT_RDWR)  # mid-chunk-stream: abrupt
                    return
                if b == "malformed" and i == 2:
                    self._send(b"data: {not json]\n\n")
                if b == "stall" and i == 2:
                    time.sleep(srv.stall_s)
            self._send(_chunk(None, "stop"))
            self._send(_chunk(usage=usage))
            self._send(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


class Blackhole:
    """Accepts connections and never answers: a hung provider."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                return

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def stop(self):
        for c in self.conns:
            c.close()
        self.sock.close()

"""Real HTTP servers on 127.0.0.1 for the tests: an OpenAI-compatible one and an Ollama-like one.

The OpenAI one picks its behaviour from the requested model name (`ok`, `unauthorized`, `hang`,
…) or from a per-model script of behaviours consumed one request at a time, and records every
request it sees, so tests can compare what the server saw with what the log holds.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = "Hello from the local server."


def _chunk(model: str, content: str | None = None, finish: str | None = None, usage: dict | None = None) -> bytes:
    body = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [] if usage else [{"index": 0, "delta": ({"content": content} if content is not None else {}),
                                          "finish_reason": finish}]}
    if usage:
        body["usage"] = usage
    return b"data: " + json.dumps(body).encode() + b"\n\n"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.requests: list[dict] = []
        self.scripts: dict[str, list[str]] = {}
        self.delays: dict[str, float] = {}  # model -> seconds before the first byte
        self.chunks_sent = 0  # text chunks written (and flushed) to clients, all requests
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request, client_address):
        """A client that hangs up (cancel, timeout) is expected here; anything else is not."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()

    def count(self, model: str | None = None) -> int:
        with self.lock:
            return sum(1 for r in self.requests if model is None or r["model"] == model)

    def sent(self) -> int:
        with self.lock:
            return self.chunks_sent

    def streaming(self) -> list[int]:
        """Text chunks sent so far, per request (in arrival order)."""
        with self.lock:
            return [r["sent"] for r in self.requests]

    def reset(self):
        with self.lock:
            self.chunks_sent = 0
            self.requests.clear()
            self.scripts.clear()
            self.delays.clear()


class _OpenAIHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # the response ends when the connection closes

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

    def do_POST(self):
        srv: _Server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        req = json.loads(self.rfile.read(length) or b"{}")
        model = req.get("model", "")
        auth = self.headers.get("Authorization", "")
        with srv.lock:
            entry = {"model": model, "auth": auth, "body": req, "t": time.time(), "sent": 0}
            srv.requests.append(entry)
            script = srv.scripts.get(model)
            behaviour = script.pop(0) if script else model.split(":")[0]
            delay = srv.delays.get(model, 0.0)
        if delay:
            time.sleep(delay)
        if behaviour == "unauthorized":
            return self._json(401, {"error": {"message": f"Incorrect API key provided: {auth.removeprefix('Bearer ')} "
                                                         f"at {self.path}",
                                              "type": "invalid_request_error", "code": "invalid_api_key"}})
        if behaviour == "notfound":
            return self._json(404, {"error": {"message": f"The model `{model}` does not exist", "type": "invalid_request_error",
                                              "code": "model_not_found"}})
        if behaviour == "ratelimit":
            return self._json(429, {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}},
                              {"Retry-After": "1"})
        if behaviour == "error500":
            return self._json(500, {"error": {"message": "The server had an error", "type": "server_error"}})
        if behaviour == "context":
            return self._json(400, {"error": {"message": "This model's maximum context length is 100 tokens. However, "
                                              "your messages resulted in 5000 tokens.", "type": "invalid_request_error",
                                              "code": "context_length_exceeded"}})
        if behaviour == "markuperr":
            return self._json(500, {"error": {"message": 'boom [/red] [0] {"a":[true]} [bold]x', "type": "server_error"}})
        if behaviour == "hang":
            time.sleep(30)
            return
        if behaviour == "r422":
            return self._json(422, {"error": {"message": "Unprocessable: unsupported parameter", "type": "invalid_request_error"}})
        if behaviour == "retryms":  # both headers: the millisecond one is the precise one
            return self._json(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                              {"Retry-After": "30", "retry-after-ms": "1500"})
        if behaviour == "retrydate":
            from email.utils import formatdate

            return self._json(429, {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                              {"Retry-After": formatdate(time.time() + 2, usegmt=True)})
        if behaviour == "closed":  # accepts the connection, reads the request, closes without a word
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if behaviour == "json200":  # a complete non-streamed answer to a streamed request
            return self._json(200, {"id": "chatcmpl-x", "object": "chat.completion", "created": int(time.time()),
                                    "model": model, "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                        "role": "assistant", "content": ANSWER}}],
                                    "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}})
        if behaviour == "html200":
            data = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if behaviour == "malformed":
            self.wfile.write(b"data: {this is not json]\n\n")
            self.wfile.flush()
            return
        text = ANSWER
        if behaviour == "echo":  # answers with the user's last message, verbatim
            text = str(req["messages"][-1]["content"])
        if behaviour == "say":  # says what follows the colon of its name ("say:B")
            text = model.split(":", 1)[1]
        words = [w + " " for w in text.split(" ")] if behaviour in ("echo", "say") else [w + " " for w in ANSWER.split()]
        finish, usage = "stop", {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        if behaviour == "trickle":  # 40 words, one every 0.4 s: a stream that is surely still running
            words = [f"Hello{i} " if i == 0 else f"word{i} " for i in range(40)]
        if behaviour in ("long", "inflated"):  # ignores max_tokens: 400 words; "inflated" also overstates usage
            words = [f"word{i} " for i in range(400)]
            usage = {"prompt_tokens": 11, "completion_tokens": 400 if behaviour == "long" else 90_000}
        elif behaviour == "echoauth":  # repeats every credential it was sent: the header and the URL
            words = ["you sent ", auth[:9], auth[9:], " to ", self.path[:12], self.path[12:], " ok"]
        elif behaviour == "echokey":  # repeats the key it was sent, split across chunks
            key = auth.removeprefix("Bearer ")
            words = ["your key is ", key[:5], key[5:], " ok"]
        elif behaviour == "empty":
            words = []
            usage = {"prompt_tokens": 11, "completion_tokens": 0, "total_tokens": 11}
        elif behaviour in ("filter", "length"):
            words, finish = words[:2], {"filter": "content_filter", "length": "length"}[behaviour]
        elif behaviour == "toolcall":
            self.wfile.write(b"data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": model,
                             "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                         "function": {"name": "lookup", "arguments": "{}"}}]}, "finish_reason": None}]}).encode()
                             + b"\n\n")
            words, finish = [], "tool_calls"
        for i, w in enumerate(words):
            self.wfile.write(_chunk(model, w))
            self.wfile.flush()
            with srv.lock:
                srv.chunks_sent += 1
                entry["sent"] += 1
            if behaviour == "cut" and i == 1:
                self.wfile.flush()
                self.connection.shutdown(2)  # the stream breaks after two chunks
                return
            if behaviour == "slowstream":
                time.sleep(0.05)
            if behaviour in ("veryslow", "trickle"):  # a word every 0.4 s: time to act mid-stream
                time.sleep(0.4)
        self.wfile.write(_chunk(model, None, finish))
        self.wfile.write(_chunk(model, usage=usage))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


class _OllamaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    tags = ["llama3.2:latest", "tinyllama:latest"]

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.rstrip("/") != "/api/tags":
            self.send_error(404)
            return
        data = json.dumps({"models": [{"name": t, "model": t, "size": 1} for t in self.tags]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        srv: _Server = self.server
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        with srv.lock:
            srv.requests.append({"model": req.get("model"), "path": self.path, "body": req, "t": time.time()})
        if self.path != "/api/chat":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        now = "2026-11-22T00:00:00Z"
        for w in ["Local ", "llama ", "says ", "hi."]:
            self.wfile.write(json.dumps({"model": req.get("model"), "created_at": now,
                                         "message": {"role": "assistant", "content": w}, "done": False}).encode() + b"\n")
            self.wfile.flush()
        self.wfile.write(json.dumps({"model": req.get("model"), "created_at": now, "message": {"role": "assistant", "content": ""},
                                     "done": True, "done_reason": "stop", "prompt_eval_count": 12, "eval_count": 4,
                                     "total_duration": 1000}).encode() + b"\n")


def openai_server() -> _Server:
    return _Server(_OpenAIHandler).start()


def ollama_server() -> _Server:
    return _Server(_OllamaHandler).start()


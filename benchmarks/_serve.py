"""Shared by the serve benchmarks: `modeltui serve` as a subprocess in its own data dir, and a
fake OpenAI-compatible provider on 127.0.0.1 that streams a fixed answer after a fixed delay."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import tomli_w

WORDS = [f"word{i} " for i in range(60)]  # ~ 100 tokens by our estimate
USAGE = {"prompt_tokens": 20, "completion_tokens": 150, "total_tokens": 170}


class FakeProvider(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, first_s: float = 0.1, gap_s: float = 0.005):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.first_s, self.gap_s, self.count = first_s, gap_s, 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def handle_error(self, request, client_address):
        pass

    def stop(self):
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.count += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        time.sleep(self.server.first_s)

        def event(body: dict) -> None:
            self.wfile.write(b"data: " + json.dumps(body).encode() + b"\n\n")
            self.wfile.flush()

        base = {"id": "c", "object": "chat.completion.chunk", "created": int(time.time()), "model": "fake"}
        for w in WORDS:
            event({**base, "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]})
            time.sleep(self.server.gap_s)
        event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        event({**base, "choices": [], "usage": USAGE})
        self.wfile.write(b"data: [DONE]\n\n")


def config(root: Path, extra: dict | None = None) -> tuple[Path, dict]:
    """A config file and the environment for a modeltui process using the data dir under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    data = {"ollama_url": "http://127.0.0.1:9", "storage": {"path": str(root / "data" / "log.sqlite3")},
            "learning": {"shadow": {"rate": 0.0}}, **(extra or {})}
    path = root / "config.toml"
    path.write_text(tomli_w.dumps(data))
    env = {**os.environ, "MODELTUI_DATA_DIR": str(root / "data"), "MODELTUI_CONFIG": str(path),
           "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return path, env


PRICES = {"input_per_mtok": 10.0, "output_per_mtok": 20.0}  # a call costs ~$0.0032, reserves ~$0.0042 (200 tokens)


def fake_env(root: Path, provider: FakeProvider, monthly_usd: float) -> dict:
    """The environment for `modeltui serve` with one model, `openai/fake`, answered by `provider`,
    under a monthly cap (and a key that only the fake provider sees)."""
    _, env = config(root, {"demo": {"mode": "never"}, "builtin_models": False, "budget": {"monthly_usd": monthly_usd},
                           "providers": {"openai": {"api_base": provider.url}},
                           "models": {"openai/fake": {"quality": 6.0, **PRICES, "context_window": 16_000,
                                                      "max_output": 1_000}}})
    env["OPENAI_API_KEY"] = "sk-bench-not-a-real-key"
    return env


def start(env: dict) -> tuple[subprocess.Popen, str]:
    """`modeltui serve --port 0`; returns the process and its base URL (…/v1) once it listens."""
    exe = str(Path(sys.executable).with_name("modeltui"))
    proc = subprocess.Popen([exe, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(120)
    if not got or not got[0].startswith("modeltui serve: http"):
        proc.kill()
        raise SystemExit(f"modeltui serve did not start: {got} {proc.stderr.read()}")
    return proc, got[0].split()[2]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) in MiB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    kb = lambda k: float(fields.get(k, "0 kB").split()[0])  # noqa: E731
    return kb("VmRSS") / 1024, kb("VmHWM") / 1024


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

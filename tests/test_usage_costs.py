"""Usage as providers bill it, over a local server that replays each provider's usage shape,
streamed and as one JSON body: the logged cost equals a figure computed here by hand from the
prices in the test's config (per million tokens: input 2, output 8, cache read 0.5, write 2.5)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import make_config, server_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.providers.tokens import estimate_messages, estimate_tokens

PRICES = {"input_per_mtok": 2.0, "output_per_mtok": 8.0, "cache_read_per_mtok": 0.5, "cache_write_per_mtok": 2.5,
          "quality": 6.0, "context_window": 16_000, "max_output": 1_000}
TEXT = "The answer is forty-two."
PROMPT = "What is the answer? " + "Context word. " * 400  # ~1000 tokens estimated: reserved above what is reported
SHAPES = {  # model -> the usage the server reports (OpenAI's chat completions format)
    "openai-cached": {"prompt_tokens": 1000, "completion_tokens": 300, "total_tokens": 1300,
                      "prompt_tokens_details": {"cached_tokens": 800},
                      "completion_tokens_details": {"reasoning_tokens": 200}},
    "gateway-cost": {"prompt_tokens": 1000, "completion_tokens": 300, "total_tokens": 1300, "cost": 0.0042},
    "no-usage": None,
}
ANTHROPIC = {"input_tokens": 100, "cache_read_input_tokens": 500, "cache_creation_input_tokens": 200}
ANTHROPIC_OUT = 30


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.path.endswith("/messages"):
            return self.anthropic(req)
        name, _, form = req["model"].partition("@")  # "openai-cached@json": the same shape as one JSON body
        usage = SHAPES[name]
        if form == "json":
            body = {"id": "c", "object": "chat.completion", "created": 1, "model": name,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": TEXT}, "finish_reason": "stop"}]}
            if usage:
                body["usage"] = usage
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        base = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": name}
        for piece in (TEXT[:10], TEXT[10:]):
            self.sse({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
        self.sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if usage:
            self.sse({**base, "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")

    def anthropic(self, req):
        """Anthropic's Messages stream: the input and cache parts in message_start, output at the end."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        events = [
            ("message_start", {"type": "message_start", "message": {
                "id": "msg_1", "type": "message", "role": "assistant", "model": req["model"], "content": [],
                "stop_reason": None, "stop_sequence": None, "usage": {**ANTHROPIC, "output_tokens": 1}}}),
            ("content_block_start", {"type": "content_block_start", "index": 0,
                                     "content_block": {"type": "text", "text": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                     "delta": {"type": "text_delta", "text": TEXT}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                               "usage": {"output_tokens": ANTHROPIC_OUT}}),
            ("message_stop", {"type": "message_stop"}),
        ]
        for name, data in events:
            self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())

    def sse(self, body):
        self.wfile.write(b"data: " + json.dumps(body).encode() + b"\n\n")


@pytest.fixture(scope="module")
def shapes():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.fixture
async def engine(shapes, isolated_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-usage")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-usage")
    models = {f"openai/{name}{form}": PRICES for name in SHAPES for form in ("", "@json")}
    models["anthropic/claude-usage-test"] = PRICES
    data = server_config(shapes, isolated_env, extra_models=models)
    data["providers"]["anthropic"] = {"api_base": shapes}
    data["gateway"]["max_tokens"] = 1000  # the reservation (prompt estimate + max tokens) covers the usage reported
    eng = await Engine.open(cfg=make_config(data), probe_ollama=False)
    yield eng
    await eng.close()


def by_hand(uncached, read, write, out):
    return (uncached * 2.0 + read * 0.5 + write * 2.5 + out * 8.0) / 1e6


@pytest.mark.parametrize("form", ["", "@json"])
@pytest.mark.parametrize("shape,expect", [
    # cached reads are part of prompt_tokens: 200 uncached + 800 cached, 300 out of which 200 reasoning
    ("openai-cached", {"cost": by_hand(200, 800, 0, 300), "computed": by_hand(200, 800, 0, 300), "reported": False,
                       "parts": (1000, 300, 800, 0, 200)}),
    # the gateway's own figure is what counts; ours (no cache) stays beside it
    ("gateway-cost", {"cost": 0.0042, "computed": by_hand(1000, 0, 0, 300), "reported": True,
                      "parts": (1000, 300, 0, 0, None)}),
])
async def test_openai_shapes_are_priced_part_by_part(engine, shape, form, expect):
    r = await engine.ask(AskRequest(PROMPT, model=f"openai/{shape}{form}"))
    assert r.final.status == "ok", r.final.error_message
    row = await engine.store.get_call(r.call_id)
    assert row["cost_usd"] == pytest.approx(expect["cost"])
    assert row["cost_computed_usd"] == pytest.approx(expect["computed"])
    assert bool(row["cost_reported"]) is expect["reported"] and row["tokens_estimated"] == 0
    parts = (row["tokens_in"], row["tokens_out"], row["tokens_cache_read"], row["tokens_cache_write"],
             row["tokens_reasoning"])
    # (litellm fills reasoning_tokens = 0 in a streamed usage without details: 0 and "not said" agree)
    assert parts[:4] == expect["parts"][:4] and (parts[4] or None) == expect["parts"][4]


@pytest.mark.parametrize("form", ["", "@json"])
async def test_no_usage_is_estimated_and_says_so(engine, form):
    r = await engine.ask(AskRequest(PROMPT, model=f"openai/no-usage{form}"))
    row = await engine.store.get_call(r.call_id)
    tin = estimate_messages([{"role": "user", "content": PROMPT}])
    assert row["tokens_estimated"] == 1 and (row["tokens_in"], row["tokens_out"]) == (tin, estimate_tokens(TEXT))
    assert row["cost_usd"] == pytest.approx(by_hand(tin, 0, 0, estimate_tokens(TEXT)))
    assert row["tokens_cache_read"] is None and row["cost_reported"] == 0


async def test_anthropic_cache_reads_and_writes(engine):
    r = await engine.ask(AskRequest(PROMPT, model="anthropic/claude-usage-test"))
    assert r.final.status == "ok", r.final.error_message
    row = await engine.store.get_call(r.call_id)
    assert r.final.text == TEXT
    # litellm adds the cache parts into prompt_tokens: 100 + 500 + 200
    assert (row["tokens_in"], row["tokens_out"], row["tokens_cache_read"], row["tokens_cache_write"]) == \
        (800, ANTHROPIC_OUT, 500, 200)
    assert row["cost_usd"] == pytest.approx(by_hand(100, 500, 200, ANTHROPIC_OUT))

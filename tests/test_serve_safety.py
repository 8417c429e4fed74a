"""`modeltui serve` is safe by default: loopback, a token elsewhere (compared in constant time),
bodies size-limited, no web page may call it, a client that leaves cancels its call (logged
cancelled, reservation released), and every refusal is an OpenAI-shaped error with a fitting
status, never a 500 or a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from conftest import CANARY
from helpers import server_config
from serving import Served

TOKEN = "t0ken-for-the-tests-5f1c9a"


@pytest.fixture(scope="module")
def served(tmp_path_factory, oai):
    root = tmp_path_factory.mktemp("serve")
    cfg = server_config(oai.url, root, {"openai/trickle": {"quality": 6.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0}},
                        demo={"mode": "always", "speed": 50.0}, budget={"monthly_usd": 5.0}, serve={"max_body_bytes": 4096})
    srv = Served(root, cfg, env={"OPENAI_API_KEY": CANARY})
    yield srv
    code, err = srv.stop()
    assert code == 0 and "Traceback" not in err, err


def post(srv, path, body, **kw):
    return httpx.post(srv.base + path, content=body if isinstance(body, bytes) else json.dumps(body), timeout=30, **kw)


def hi(model="demo/small"):
    return {"model": model, "messages": [{"role": "user", "content": "What is 2+2?"}]}


def test_a_client_that_leaves_mid_stream_cancels_its_call(served, oai):
    oai.reset()
    with httpx.stream("POST", served.base + "/chat/completions", json={**hi("openai/trickle"), "stream": True},
                      timeout=30) as resp:
        assert resp.status_code == 200
        call_id = int(resp.headers["x-modeltui-call-id"])
        assert served.rows("SELECT count(*) FROM reservations")[0][0] == 1  # held while it streams
        for line in resp.iter_lines():
            if line.startswith("data: ") and '"content"' in line:
                break  # the first text read (the key redactor may hold a few words back); now leave
    rows = served.wait_rows("SELECT status, error_kind, response, error_message FROM calls WHERE id = ?",
                            lambda r: r and r[0][0] != "started", 15.0, call_id)
    assert rows[0][:2] == ("cancelled", "cancelled") and rows[0][2].startswith("Hello0"), rows
    assert "word39" not in rows[0][2]  # the partial answer, not the whole
    assert served.rows("SELECT count(*) FROM reservations")[0][0] == 0
    time.sleep(1.0)
    assert oai.streaming()[-1] < 10  # the provider's stream was closed too (40 words if read to the end)


def test_refusals_are_openai_shaped_with_fitting_statuses(served):
    cases = [
        (post(served, "/chat/completions", b"{not json"), 400, "invalid_json"),
        (post(served, "/chat/completions", hi("nope/nope")), 404, "model_not_found"),
        (post(served, "/chat/completions", {"model": "modeltui/budget", "messages": []}), 400, "invalid_messages"),
        (post(served, "/chat/completions", {**hi(), "n": 2}), 400, "invalid_value"),
        (post(served, "/chat/completions", {**hi(), "temperature": "hot"}), 400, "invalid_value"),
        (post(served, "/chat/completions", {"model": "demo/small", "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "data:,"}}]}]}), 400, "unsupported_content"),
        (post(served, "/chat/completions", {**hi(), "pad": "x" * 5000}), 413, "body_too_large"),
        (post(served, "/chat/completions", hi(), headers={"Origin": "https://evil.example"}), 403, "origin_refused"),
        (post(served, "/chat/completions", hi(), headers={"Host": "evil.example"}), 403, "host_refused"),
        (httpx.get(served.base + "/chat/completions"), 405, "method_not_allowed"),
        (httpx.get(served.base + "/nothing"), 404, "not_found"),
    ]
    for resp, status, code in cases:
        assert (resp.status_code, resp.json()["error"]["code"]) == (status, code), resp.text
        assert set(resp.json()["error"]) >= {"message", "type", "code"} and resp.headers["x-should-retry"] == "false"


def test_models_lists_the_tiers_and_every_catalog_id(served):
    ids = [m["id"] for m in httpx.get(served.base + "/models").json()["data"]]
    assert ids[:4] == ["modeltui/budget", "modeltui/balanced", "modeltui/premium", "modeltui/auto"]
    assert {"demo/small", "demo/large", "openai/ok", "openai/trickle"} <= set(ids)


def test_feedback_thumbs_a_logged_answer(served):
    answer = post(served, "/chat/completions", hi())
    call_id = int(answer.headers["x-modeltui-call-id"])
    ok = post(served, "/modeltui/feedback", {"call_id": call_id, "thumb": "down"})
    assert ok.status_code == 200 and ok.json()["ok"]
    assert served.rows("SELECT kind, value FROM votes WHERE call_id = ?", call_id) == [("thumb", "-1")]
    assert post(served, "/modeltui/feedback", {"call_id": 999999, "thumb": "up"}).status_code == 404
    assert post(served, "/modeltui/feedback", {"call_id": call_id, "thumb": "sideways"}).status_code == 400


def test_a_token_is_required_when_set_and_compared_whole(tmp_path):
    srv = Served(tmp_path / "tok", {"demo": {"mode": "always", "speed": 50.0}, "serve": {"token_env": "MT_TOKEN"}},
                 env={"MT_TOKEN": TOKEN})
    try:
        for auth in (None, "Bearer wrong", f"Bearer {TOKEN[:-1]}", TOKEN):
            resp = post(srv, "/chat/completions", hi(), headers={"Authorization": auth} if auth else {})
            assert resp.status_code == 401 and resp.json()["error"]["type"] == "authentication_error"
        good = post(srv, "/chat/completions", hi(), headers={"Authorization": f"Bearer {TOKEN}"})
        assert good.status_code == 200 and good.json()["choices"][0]["message"]["content"].strip() == "4"
        assert TOKEN not in "".join(map(str, srv.rows("SELECT * FROM calls")))
        assert TOKEN not in srv.discovery_text()
    finally:
        assert srv.stop()[0] == 0


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7"])
def test_binding_beyond_loopback_without_a_token_is_refused(isolated_env, host):
    p = subprocess.run([sys.executable, "-m", "modeltui", "serve", "--host", host, "--port", "0"],
                       capture_output=True, text=True, timeout=60, env=os.environ.copy())
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "token_env" in p.stderr and "Traceback" not in p.stderr


def test_a_server_whose_team_database_is_away_answers_503_and_sends_nothing(tmp_path):
    """Team mode: the server starts while the team database cannot be reached (a closed port),
    says so, and refuses each request with a 503 at once: no row, nothing sent, no password shown."""
    srv = Served(tmp_path, {"demo": {"mode": "always", "speed": 50.0},
                            "team": {"database": "postgresql://a:hunter2-secret@127.0.0.1:9/team", "member": "a",
                                     "retry_s": 30.0}})
    try:
        resp = httpx.post(srv.base + "/chat/completions", timeout=30,
                          json={"model": "demo/small", "messages": [{"role": "user", "content": "What is 2+2?"}]})
        assert resp.status_code == 503, resp.text
        error = resp.json()["error"]
        assert error["code"] == "team_database_unreachable" and "nothing is sent" in error["message"]
        assert "hunter2-secret" not in resp.text
        assert srv.rows("SELECT count(*) FROM calls") == [(0,)]
    finally:
        srv.stop()
    assert "hunter2-secret" not in srv.proc.stderr.read()

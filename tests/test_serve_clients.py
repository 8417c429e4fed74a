"""`modeltui serve` with real clients that are not ours: the openai Python SDK (streamed and not)
and the `llm` CLI, on the demo models and on the local fake OpenAI-compatible provider. Every
call is in the log with its client's name; a call over the cap is a clear error in both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from conftest import CANARY
from helpers import server_config
from serving import Served

LLM = str(Path(sys.executable).with_name("llm"))
PRICEY = "openai/say:pricey"  # worst case far over the $1 cap: refused before anything leaves


@pytest.fixture(scope="module")
def served(tmp_path_factory, oai):
    root = tmp_path_factory.mktemp("serve")
    extra = {PRICEY: {"quality": 9.0, "input_per_mtok": 50_000.0, "output_per_mtok": 50_000.0,
                      "context_window": 16_000, "max_output": 1_000}}
    cfg = server_config(oai.url, root, extra, demo={"mode": "always", "speed": 50.0}, budget={"monthly_usd": 1.0})
    srv = Served(root, cfg, env={"OPENAI_API_KEY": CANARY})
    yield srv
    code, err = srv.stop()
    assert "Traceback" not in err, err


def sdk(srv: Served) -> openai.OpenAI:
    return openai.OpenAI(base_url=srv.base, api_key="not-a-provider-key", max_retries=0, timeout=30)


def test_openai_sdk_gets_answers_streamed_and_not_on_demo_and_fake_provider(served, oai):
    oai.reset()
    client = sdk(served)
    raw = client.chat.completions.with_raw_response.create(
        model="modeltui/budget", messages=[{"role": "user", "content": "What is 2+2?"}])
    done = raw.parse()
    assert done.choices[0].message.content.strip() == "4" and done.model == "demo/small"
    assert raw.headers["x-modeltui-model"] == "demo/small"
    call_id = int(raw.headers["x-modeltui-call-id"])
    assert float(raw.headers["x-modeltui-cost-usd"]) > 0 and done.model_extra["modeltui"]["call_id"] == call_id

    chunks = list(client.chat.completions.create(model="openai/ok", stream=True, temperature=0.3, stop=["\n\n"],
                                                 max_tokens=50, stream_options={"include_usage": True},
                                                 messages=[{"role": "system", "content": "Be brief."},
                                                           {"role": "user", "content": "Say hello"}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip() == "Hello from the local server."
    last = chunks[-1]
    assert last.usage.completion_tokens == 7 and last.model_extra["modeltui"]["model"] == "openai/ok"
    streamed_id = last.model_extra["modeltui"]["call_id"]
    sent = oai.requests[-1]["body"]  # what the provider saw: the parameters passed on, our key, not the client's
    assert (sent["temperature"], sent["stop"], sent["max_tokens"]) == (0.3, ["\n\n"], 50)
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}
    assert oai.requests[-1]["auth"] == f"Bearer {CANARY}"

    rows = served.rows("SELECT id, kind, client, model, status, cost_usd FROM calls WHERE id IN (?, ?) ORDER BY id",
                       call_id, streamed_id)
    assert [(r[1], r[3], r[4]) for r in rows] == [("api", "demo/small", "ok"), ("api", "openai/ok", "ok")]
    assert all(r[2].startswith("OpenAI/Python") for r in rows) and all(r[5] > 0 for r in rows)
    assert CANARY not in "".join(map(str, served.rows("SELECT * FROM calls")))


def test_over_the_cap_is_a_402_the_sdk_reports_and_does_not_retry(served):
    before = served.rows("SELECT count(*) FROM calls")[0][0]
    with pytest.raises(openai.APIStatusError) as err:
        openai.OpenAI(base_url=served.base, api_key="x", timeout=30).chat.completions.create(  # default retries on
            model=PRICEY, messages=[{"role": "user", "content": "hi"}])
    assert err.value.status_code == 402 and "budget" in err.value.message
    assert err.value.body["code"] == "budget_exceeded"
    with pytest.raises(openai.APIStatusError) as err:
        list(sdk(served).chat.completions.create(model=PRICEY, stream=True, messages=[{"role": "user", "content": "hi"}]))
    assert err.value.status_code == 402
    assert served.rows("SELECT count(*) FROM calls")[0][0] == before  # refused before a row: nothing was sent


def _llm(srv: Served, home: Path, *args: str) -> subprocess.CompletedProcess:
    home.mkdir(exist_ok=True)
    (home / "extra-openai-models.yaml").write_text(
        "- model_id: mt-budget\n  model_name: modeltui/budget\n  api_base: " + srv.base + "\n"
        "  headers:\n    x-modeltui-client: llm\n"
        "- model_id: mt-ok\n  model_name: openai/ok\n  api_base: " + srv.base + "\n"
        "  headers:\n    x-modeltui-client: llm\n"
        "- model_id: mt-pricey\n  model_name: " + PRICEY + "\n  api_base: " + srv.base + "\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"} | {"LLM_USER_PATH": str(home)}
    return subprocess.run([LLM, *args], capture_output=True, text=True, env=env, timeout=120)


def test_llm_cli_gets_answers_and_is_logged_by_name(served, tmp_path):
    home = tmp_path / "llm"
    streamed = _llm(served, home, "-m", "mt-budget", "What is 2+2?")
    assert streamed.returncode == 0 and streamed.stdout.strip() == "4", streamed.stderr
    whole = _llm(served, home, "-m", "mt-ok", "--no-stream", "Say hello")
    assert whole.returncode == 0 and whole.stdout.strip() == "Hello from the local server.", whole.stderr
    rows = served.rows("SELECT kind, client, model, status FROM calls ORDER BY id DESC LIMIT 2")
    assert [(k, m, s) for k, _, m, s in rows] == [("api", "openai/ok", "ok"), ("api", "demo/small", "ok")]
    assert all(c.startswith("llm (OpenAI/Python") for _, c, _, _ in rows)


def test_llm_cli_over_the_cap_says_so(served, tmp_path):
    p = _llm(served, tmp_path / "llm", "-m", "mt-pricey", "hi")
    assert p.returncode != 0
    assert "budget" in p.stderr and "402" in p.stderr and "Traceback" not in p.stderr

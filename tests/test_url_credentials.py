"""Credentials inside a configured URL (`http://user:SECRET@host`, `?key=SECRET`) and the `Basic`
header made of them never reach the log, an export, the screen or a command's output, even when
a server echoes them back."""

import base64
import os
import subprocess
import sys

from helpers import server_config, write_config

SECRET = "urlpass-5d1c9e0b7a"
QKEY = "qkey-0af3b2c9d8e7"


def run(*args, env):
    return subprocess.run([sys.executable, "-m", "modeltui", *args], capture_output=True, text=True, env=env, timeout=120)


def test_url_credentials_are_masked_everywhere(server, isolated_env):
    host = server.url.removeprefix("http://")
    data = server_config(server.url, isolated_env)
    data["providers"] = {"openai": {"api_base": f"http://svc:{SECRET}@{host}/v1?key={QKEY}"}}
    m = {"quality": 6.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0, "context_window": 16_000, "max_output": 1_000}
    data["models"] = {"openai/echoauth:x": m, "openai/unauthorized:x": m}
    cfg = write_config(data, isolated_env / "config.toml")
    env = {**os.environ, "OPENAI_API_KEY": "sk-canary-url-0123456789", "MODELTUI_CONFIG": str(cfg)}
    outputs = []
    for args in (["ask", "hi", "--model", "openai/echoauth:x"], ["ask", "hi", "--model", "openai/unauthorized:x"],
                 ["models", "--json"], ["log", "--json"], ["export", "-o", "-"]):
        p = run(*args, env=env)
        assert "Traceback" not in p.stderr, p.stderr
        outputs += [p.stdout, p.stderr]
    assert server.count() >= 2 and any(r["auth"] for r in server.requests)  # the server did get credentials
    basic = base64.b64encode(f"svc:{SECRET}".encode()).decode()
    files = b"".join(f.read_bytes() for f in (isolated_env / "data").iterdir() if f.name.startswith("log.sqlite3"))
    for blob in [files, *(o.encode() for o in outputs)]:
        for secret in (SECRET, QKEY, basic):
            assert secret.encode() not in blob, secret
    assert "[REDACTED]" in "".join(outputs)

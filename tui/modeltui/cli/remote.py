"""`modeltui ask` through a running `modeltui serve` for the same log: an HTTP request with the
standard library (http.client: no litellm, no pydantic, no aiosqlite, no httpx to import), the
answer streamed to stdout as it comes, the same trailer on stderr and the same `--json` object
as in-process. The server routes, reserves, logs (kind `cli`) and learns, exactly as the engine
does here; when no server answers, the caller runs the command in-process as before."""

from __future__ import annotations

import http.client
import json
import os
import sys
from types import SimpleNamespace
from urllib.parse import urlsplit

from modeltui.serve import discovery  # (standard library only)
from modeltui.settings import paths

EXIT_FOR_STATUS = {400: 2, 404: 2, 413: 2, 402: 3, 503: 3}  # as the errors' own exit codes say them


def find(raw_config: dict) -> dict | None:
    """The server running for the log this config writes to, if any."""
    storage = raw_config.get("storage") if isinstance(raw_config.get("storage"), dict) else {}
    db = os.path.expanduser(storage["path"]) if isinstance(storage.get("path"), str) else paths.default_db()
    return discovery.read(db)


def _body(args, raw_config: dict, prompt: str) -> dict:
    tier = args.tier or raw_config.get("default_tier") or "balanced"
    ours = {"kind": "cli", **({"use_case": args.use_case} if args.use_case else {}),
            **({"complexity": args.complexity} if args.complexity else {})}
    return {"model": args.model or f"modeltui/{tier}", "stream": True, "messages": [{"role": "user", "content": prompt}],
            **({"max_tokens": args.max_tokens} if args.max_tokens else {}), "modeltui": ours}


def _post(raw_config: dict, server: dict, path: str, body: dict, command: str):
    """(connection, response), or None when the server could not be reached."""
    from modeltui import __version__

    url = urlsplit(server["url"])
    headers = {"Content-Type": "application/json", "User-Agent": f"modeltui-cli/{__version__}",
               "x-modeltui-client": f"modeltui {command}"}
    token_env = (raw_config.get("serve") or {}).get("token_env") if isinstance(raw_config.get("serve"), dict) else None
    if token_env and os.environ.get(token_env):
        headers["Authorization"] = f"Bearer {os.environ[token_env]}"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    try:
        conn.request("POST", url.path.rstrip("/") + path, json.dumps(body), headers)
        return conn, conn.getresponse()
    except OSError:
        conn.close()
        return None  # not there after all (it stopped since it wrote its file): in-process


def ask(args, raw_config: dict, server: dict, prompt: str) -> int | None:
    """Exit code, or None when the server could not be reached (run in-process instead)."""
    if (sent := _post(raw_config, server, "/chat/completions", _body(args, raw_config, prompt), "ask")) is None:
        return None
    conn, resp = sent
    try:
        return _refused(resp) if resp.status != 200 else _stream(args, resp)
    finally:
        conn.close()


def tournament(args, raw_config: dict, server: dict) -> int | None:
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    if (sent := _post(raw_config, server, "/modeltui/tournament", {"prompt": args.prompt, "models": models},
                      "tournament")) is None:
        return None
    conn, resp = sent
    try:
        if resp.status != 200:
            return _refused(resp)
        from modeltui.cli.printing import print_tournament

        return print_tournament(json.loads(resp.read()), args.json)
    finally:
        conn.close()


def _refused(resp) -> int:
    try:
        message = json.loads(resp.read())["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {resp.status} from the server"
    print(f"modeltui: {message}", file=sys.stderr)
    return EXIT_FOR_STATUS.get(resp.status, 1)


def _stream(args, resp) -> int:
    text, summary, error = [], None, None
    for line in resp:
        line = line.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        event = json.loads(line[6:])
        if "error" in event:
            error, summary = event["error"], event.get("modeltui") or summary
            continue
        for choice in event.get("choices") or []:
            if piece := (choice.get("delta") or {}).get("content"):
                text.append(piece)
                if not args.json:
                    sys.stdout.write(piece)
                    sys.stdout.flush()
        summary = event.get("modeltui") or summary
    if summary is None:
        print(f"modeltui: {error['message'] if error else 'the server closed the stream before the answer ended'}",
              file=sys.stderr)
        return 1
    return print_summary(SimpleNamespace(**summary, text="".join(text)), args)


def print_summary(s, args) -> int:
    """The trailer the in-process `ask` prints (cli/commands.py), from the summary the server sent."""
    from modeltui.vocab.words import money

    if args.json:
        print(json.dumps(vars(s), ensure_ascii=False))
        return 0 if s.status == "ok" else 1
    if s.text and not s.text.endswith("\n"):
        sys.stdout.write("\n")
        sys.stdout.flush()
    sim = " (simulated)" if s.simulated else ""
    est = " est." if s.tokens_estimated else ""
    print(f"— {s.model}{sim} · {s.effective_tier} · {s.tokens_in}→{s.tokens_out} tokens{est} · {money(s.cost_usd)} · "
          f"{s.latency_ms:.0f} ms · {s.status} · call {s.call_id} · via modeltui serve", file=sys.stderr)
    from modeltui.cli.printing import print_trailer_tail

    return print_trailer_tail(s, args)

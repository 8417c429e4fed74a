"""Config for tests: models served by the local OpenAI-compatible server, priced explicitly."""

from __future__ import annotations

from pathlib import Path

import tomli_w

from modeltui.settings.config import Config

FAULTS = ("ok", "unauthorized", "notfound", "ratelimit", "error500", "hang", "cut", "malformed", "context", "slowstream")


def server_config(server_url: str, tmp: Path, extra_models: dict | None = None, **sections) -> dict:
    models = {f"openai/{name}": {"quality": 6.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0,
                                 "context_window": 16_000, "max_output": 1_000} for name in FAULTS}
    models.update(extra_models or {})
    data = {
        "ollama_url": "http://127.0.0.1:9",  # nothing listens: no probe delay, no local models
        "demo": {"mode": "never"},
        "builtin_models": False,
        "storage": {"path": str(tmp / "data" / "log.sqlite3")},
        "providers": {"openai": {"api_base": server_url + "/v1"}},
        "gateway": {"connect_timeout_s": 3.0, "stall_timeout_s": 3.0, "total_timeout_s": 8.0, "max_tokens": 200,
                    "max_retry_after_s": 2.0},
        "models": models,
        "learning": {"shadow": {"rate": 0.0}},  # random extra calls: off unless a test turns them on
    }
    for k, v in sections.items():
        data[k] = {**data.get(k, {}), **v} if isinstance(v, dict) else v
    return data


def write_config(data: dict, path: Path) -> Path:
    path.write_text(tomli_w.dumps(data))
    return path


def make_config(data: dict) -> Config:
    return Config.model_validate(data)


class Collect:
    """An AskObserver that hands each callback's argument to a list's append (or any callable)."""

    def __init__(self, text=None, event=None, reserved=None, attempt=None):
        self._text, self._event, self._reserved, self._attempt = text, event, reserved, attempt

    def text(self, chunk):
        self._text and self._text(chunk)

    def event(self, note):
        self._event and self._event(note)

    def reserved(self, amount):
        self._reserved and self._reserved(amount)

    def attempt(self, model):
        self._attempt and self._attempt(model)


def damage(db: Path) -> None:
    """Grow the log, then turn the second half of the file into garbage: a partly damaged disk."""
    import sqlite3

    con = sqlite3.connect(db)
    con.executemany("INSERT INTO calls (ts, session, kind, model, provider, status, prompt) VALUES (?,?,?,?,?,?,?)",
                    [(1.0 + i, "s", "chat", "m", "p", "ok", "y" * 2000) for i in range(400)])
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    raw = bytearray(db.read_bytes())
    page = 4096
    pages = len(raw) // page
    for n in range(pages // 2, pages):
        raw[n * page:(n + 1) * page] = bytes((n * 7 + i) % 251 for i in range(page))
    db.write_bytes(bytes(raw))


async def route_for(engine, prompt: str, tier: str, **kw):
    """The decision `ask` would make now for `prompt`, without calling anything."""
    from modeltui.routing import RouteRequest

    return await engine.route(RouteRequest([{"role": "user", "content": prompt}], tier=tier,
                                           max_tokens=engine.cfg.gateway.max_tokens, **kw))


def screen_lines(app) -> list[str]:
    """What the terminal shows, one string per row, read from the app's own SVG screenshot (the
    text a person sees, after layout and clipping: what a cut label loses is gone here too)."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(m[2]), []).append((float(m[1]), html.unescape(m[3]).replace("\xa0", " ")))
    out = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(round(x / 12.2)) + text  # Rich's SVG: 12.2 px per cell
        out.append(line)
    return out


def screen_text(app, widget=None) -> str:
    """The screen's words (within `widget`'s region if given: a dialog over the chat), borders
    left out (box-drawing and block characters), joined with single spaces: a phrase wrapped
    over two rows of a bordered dialog still matches."""
    import re

    lines = screen_lines(app)
    if widget is not None:
        r = widget.region
        lines = [line[r.x:r.x + r.width] for line in lines[r.y:r.y + r.height]]
    return " ".join(re.sub("[\u2500-\u259f]", " ", " ".join(lines)).split())


async def until(pilot, ready, timeout_s: float = 15.0) -> None:
    """Pause the app until `ready()` is true: a handler that awaits the log (a thread) may need
    more than one `pilot.pause()` on a loaded machine. Fails with the last state when it never is."""
    import asyncio
    import time

    end = time.monotonic() + timeout_s
    while not ready():
        assert time.monotonic() < end, "the app never reached the expected state"
        await pilot.pause()
        await asyncio.sleep(0.02)

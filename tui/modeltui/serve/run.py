"""Start and stop the server: check the bind is safe, open one engine, serve with uvicorn, say
where it listens (stdout and the discovery file), and close the log on the way out."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import sys

import uvicorn

from modeltui.calls.engine import Engine, to_the_end
from modeltui.errors import ConfigError, UsageError
from modeltui.serve import discovery
from modeltui.serve.app import Gate, make_app
from modeltui.settings.config import Config
from modeltui.signals import standard

MIN_TOKEN = 16


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def gate_for(cfg: Config, host: str) -> Gate:
    """The gate for binding `host`: elsewhere than loopback a token is required; where it is
    set ([serve] token_env names an env var), it is required on loopback too."""
    token = None
    if cfg.serve.token_env:
        value = os.environ.get(cfg.serve.token_env, "")
        if len(value) < MIN_TOKEN:
            raise ConfigError(f"[serve] token_env: ${cfg.serve.token_env} must hold a token of at least "
                              f"{MIN_TOKEN} characters")
        token = value.encode()
    if not is_loopback(host) and token is None:
        raise UsageError(f"--host {host} is not loopback: set [serve] token_env to the name of an env var "
                         "holding a token, which clients then send as 'Authorization: Bearer ...'")
    return Gate(token=token, loopback=is_loopback(host), max_body=cfg.serve.max_body_bytes)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the CLI's (`cli/main._stoppable`) cancel us and
    we stop uvicorn ourselves, so one Ctrl+C or SIGTERM ends the server the way it ends any command."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


class Hosted:
    """A server running in the caller's loop on the caller's engine; `stop()` ends it."""

    def __init__(self, server: _Server, task: asyncio.Task, db, url: str, gate: Gate):
        self.server, self.task, self.db, self.url, self.gate = server, task, db, url, gate

    async def wait(self) -> None:
        await asyncio.shield(self.task)

    async def stop(self) -> None:
        discovery.remove(self.db)
        self.server.should_exit = True
        await to_the_end(self.task)  # the answers in flight finish or are cancelled, and logged


async def host(engine: Engine, host: str, port: int) -> Hosted:
    """Serve `engine` (opened and preloaded by the caller) on host:port in this loop: `modeltui
    serve` does it, and so does the app with `[serve] in_app = true`."""
    gate = gate_for(engine.cfg, host)
    config = uvicorn.Config(make_app(engine, gate), host=host, port=port, log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=3, server_header=False)
    server = _Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if task.done():  # could not bind (port taken, bad host): uvicorn said why on stderr
        raise UsageError(f"could not listen on {host}:{port}")
    bound = server.servers[0].sockets[0].getsockname()[1]
    db = engine.cfg.db_path()
    discovery.write(db, host, bound)
    url_host = f"[{host}]" if ":" in host else host
    return Hosted(server, task, db, f"http://{url_host}:{bound}/v1", gate)


async def serve(cfg: Config, host_: str, port: int, announce=print) -> int:
    gate_for(cfg, host_)  # a bind that needs a token is refused before anything loads
    # a server outlives a team database's outage as the app does: while it is away each request
    # gets a 503 at once (nothing sent), and the ledger reconnects when it can
    async with Engine.open(cfg=cfg, listeners=standard, team_retry=True) as engine:
        await engine.preload(warm=True)
        hosted = await host(engine, host_, port)
        announce(f"modeltui serve: {hosted.url} · log {hosted.db} · "
                 f"{'token required' if hosted.gate.token else 'loopback, no token'} · Ctrl+C stops")
        sys.stdout.flush()
        if offline := getattr(engine.ledger, "offline", None):
            print(f"modeltui serve: {offline}", file=sys.stderr)
        try:
            await hosted.wait()
        except asyncio.CancelledError:  # Ctrl+C or SIGTERM (cli/main.py cancels the command): a normal stop
            print("modeltui serve: stopping; calls in flight are cancelled and logged", file=sys.stderr)
        finally:
            await hosted.stop()
    return 0

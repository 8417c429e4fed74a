"""`modeltui serve`: the OpenAI-compatible local gateway (the work is in `serve/`)."""

from __future__ import annotations


async def cmd_serve(args) -> int:
    from modeltui.serve.run import serve
    from modeltui.settings import config

    cfg = config.load(args.config)
    host = args.host or cfg.serve.host
    port = cfg.serve.port if args.port is None else args.port
    return await serve(cfg, host, port)

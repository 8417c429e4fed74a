"""`modeltui serve`: an OpenAI-compatible endpoint, so that other tools (the `llm` CLI, aider,
editor plugins, scripts using the openai SDK) go through the same router, budget and log.

Built on starlette + uvicorn rather than a hand-written server or a bigger framework:
- uvicorn is the most used ASGI server, maintained, with h11's strict HTTP/1.1 parsing; it
  handles keep-alive, slow clients, request limits and graceful shutdown we would otherwise
  get wrong, and it runs inside our own asyncio loop (`Server.serve()`), beside the engine.
- starlette is the small routing/request layer under FastAPI without FastAPI's pydantic-model
  machinery we do not need (the OpenAI wire format is parsed by `wire.py`, by hand, so that each
  refusal is the exact OpenAI-shaped error we choose); its dependencies are anyio and nothing
  else, so the package stays light.
- Streaming is an ASGI response of ours (`sse.py`), so a client that leaves cancels its call.

Only this package imports them (an import-linter contract). Modules: `wire` (the OpenAI shapes),
`relay` (one call for one client), `sse` (the event stream), `app` (routes and the gate),
`run` (bind, serve, stop), `discovery` (where a running server is, for the CLI).
"""

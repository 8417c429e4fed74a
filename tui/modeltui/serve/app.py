"""The HTTP face: an ASGI app (starlette) with the OpenAI routes other tools call.

Every request passes the gate first (no browser origin, loopback Host names when bound to
loopback, the bearer token when one is set, a body size limit); every answer says which model
answered and what it cost, in headers and in a `modeltui` field; every error is OpenAI-shaped
JSON with a status a client can act on, and `x-should-retry: false` so that the openai SDK's
own retries do not repeat a request the budget refused.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from modeltui import reports
from modeltui.calls.engine import Engine
from modeltui.errors import UsageError
from modeltui.serve.relay import Call, watch
from modeltui.serve.sse import EventStream
from modeltui.serve.wire import WireError, completion, error_body, error_of, parse_chat, tier_models

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Gate:
    """What a request must pass before anything else runs."""

    token: bytes | None  # the bearer token clients must send (None: none asked, loopback only)
    loopback: bool  # bound to loopback: the Host header must name it (no DNS rebinding)
    max_body: int = 1_048_576


def client_name(request: Request) -> str:
    """Which tool asked: its User-Agent, after the name it gives itself in `x-modeltui-client`
    if any (tools built on the openai SDK, like `llm`, all send `OpenAI/Python x.y`)."""
    agent = request.headers.get("user-agent") or "unknown"
    named = request.headers.get("x-modeltui-client")
    raw = f"{named} ({agent})" if named else agent
    return "".join(c for c in raw if c.isprintable()).strip()[:160] or "unknown"


def error(status: int, message: str, code: str | None, type_: str = "invalid_request_error",
          headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, type_, code), status, headers={"x-should-retry": "false", **(headers or {})})


def from_exception(exc: BaseException) -> JSONResponse:
    """An error of ours as the status and OpenAI error a client understands (never a traceback)."""
    status, message, code, type_ = error_of(exc)
    return error(status, message, code, type_)


def _money_header(cost: float | None) -> str:
    return "unpriced" if cost is None else f"{cost:.10f}".rstrip("0").rstrip(".") or "0"


def answer_headers(summary: dict) -> dict:
    return {"x-modeltui-model": summary["model"], "x-modeltui-call-id": str(summary["call_id"]),
            "x-modeltui-cost-usd": _money_header(summary["total_cost_usd"] if summary["cost_usd"] is not None else None),
            "x-modeltui-tier": str(summary["effective_tier"]), "x-modeltui-simulated": str(summary["simulated"]).lower()}


def make_app(engine: Engine, gate: Gate) -> Starlette:
    """The app serving `engine` (opened, preloaded, closed by the caller)."""

    def refused(request: Request) -> JSONResponse | None:
        if request.headers.get("origin"):  # a web page: it could spend the user's budget (no CORS here)
            return error(403, "requests from web pages (an Origin header) are refused", "origin_refused", "permission_error")
        if gate.loopback and (request.url.hostname or "") not in LOOPBACK_NAMES:
            return error(403, "this server answers to loopback host names only", "host_refused", "permission_error")
        if gate.token is not None:
            sent = request.headers.get("authorization", "")
            given = sent[7:].strip().encode() if sent[:7].lower() == "bearer " else b""
            if not hmac.compare_digest(given, gate.token):
                return error(401, "a valid bearer token is required (the value of [serve] token_env)",
                             "invalid_api_key", "authentication_error")
        return None

    async def read_json(request: Request):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > gate.max_body:
            raise WireError(413, f"request body over {gate.max_body} bytes", "body_too_large")
        data = bytearray()
        async for piece in request.stream():
            data += piece
            if len(data) > gate.max_body:
                raise WireError(413, f"request body over {gate.max_body} bytes", "body_too_large")
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise WireError(400, "the body is not valid JSON", "invalid_json") from None

    async def chat(request: Request) -> Response:
        if (no := refused(request)) is not None:
            return no
        try:
            ask = parse_chat(await read_json(request), client_name(request), engine.catalog.__contains__)
            await reports.require_use_case(engine, ask.request.use_case)  # (a typo must not become a use case)
        except (WireError, UsageError) as exc:
            return from_exception(exc)
        call = Call(engine, ask.request)
        call.cancel_on_disconnect(request.receive)
        if ask.stream:
            if await call.started():
                return EventStream(call, ask.include_usage)
        try:
            result = await call.result()
        except asyncio.CancelledError:
            if call.disconnected:  # nobody reads this; the call was logged as cancelled
                return Response(status_code=499)
            raise
        except Exception as exc:  # noqa: BLE001 - each becomes an OpenAI-shaped error
            return from_exception(exc)
        s = result.summary().to_dict()
        if s["status"] != "ok":
            return error(502, f"{s['error_kind']}: {s['error']}", s["error_kind"], "upstream_error", answer_headers(s))
        return JSONResponse(completion(s), headers=answer_headers(s))

    async def models(request: Request) -> Response:
        if (no := refused(request)) is not None:
            return no
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "modeltui"} for m in tier_models()]
        data += [{"id": m.id, "object": "model", "created": 0, "owned_by": m.provider,
                  "modeltui": {"available": m.available, "simulated": m.simulated, "why": m.why}}
                 for m in engine.catalog.all()]
        return JSONResponse({"object": "list", "data": data})

    async def feedback(request: Request) -> Response:
        from modeltui.signals import feedback as fb

        if (no := refused(request)) is not None:
            return no
        try:
            body = await read_json(request)
        except WireError as exc:
            return from_exception(exc)
        call_id, thumb = (body.get("call_id"), body.get("thumb")) if isinstance(body, dict) else (None, None)
        if isinstance(call_id, str) and call_id.isdigit():
            call_id = int(call_id)
        if not isinstance(call_id, int) or isinstance(call_id, bool) or thumb not in ("up", "down"):
            return error(400, "give {\"call_id\": ID, \"thumb\": \"up\" | \"down\"}", "invalid_feedback")
        try:
            await fb.thumb(engine, call_id, thumb == "up")
        except UsageError as exc:
            return error(404, str(exc), "call_not_found")
        return JSONResponse({"ok": True, "call_id": call_id, "thumb": thumb})

    async def tournament(request: Request) -> Response:
        """`modeltui tournament` through the server: three models at once, the summary as JSON."""
        from modeltui.signals import tournament as tour

        if (no := refused(request)) is not None:
            return no
        try:
            body = await read_json(request)
            prompt = body.get("prompt") if isinstance(body, dict) else None
            models = body.get("models") if isinstance(body, dict) else None
            if not isinstance(prompt, str) or not (models is None or isinstance(models, list)
                                                   and all(isinstance(m, str) for m in models)):
                raise WireError(400, 'give {"prompt": TEXT, "models": [ID, ...] or null}', "invalid_tournament")
            task = engine.spawn(tour.run(engine, prompt, models or None))
            watch(request.receive, task)
            try:
                return JSONResponse((await asyncio.shield(task)).summary())
            except asyncio.CancelledError:
                if task.cancelled():  # its client left: the calls were logged as cancelled
                    return Response(status_code=499)
                raise
        except Exception as exc:  # noqa: BLE001 - each becomes an OpenAI-shaped error
            return from_exception(exc)

    async def status(request: Request) -> Response:
        if (no := refused(request)) is not None:
            return no
        import os

        return JSONResponse({"ok": True, "pid": os.getpid(), "log": str(engine.cfg.db_path()), "session": engine.session})

    async def not_found(request: Request, exc) -> Response:
        return error(404, f"no route {request.method} {request.url.path}", "not_found")

    async def not_allowed(request: Request, exc) -> Response:
        return error(405, f"{request.method} is not allowed on {request.url.path}", "method_not_allowed")

    async def crashed(request: Request, exc: Exception) -> Response:
        return from_exception(exc)

    return Starlette(routes=[
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/modeltui/feedback", feedback, methods=["POST"]),
        Route("/v1/modeltui/status", status, methods=["GET"]),
        Route("/v1/modeltui/tournament", tournament, methods=["POST"]),
    ], exception_handlers={404: not_found, 405: not_allowed, Exception: crashed})

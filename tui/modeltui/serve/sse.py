"""A streamed answer as server-sent events, the way OpenAI streams chat completions.

An ASGI response of our own rather than starlette's StreamingResponse, so that what happens
when the client leaves is ours to say: the call is cancelled (the engine logs it cancelled and
releases its reservation) however the leaving shows up (a disconnect message, a failed send,
or the response being cancelled). What is known at the start goes in the headers (the model
sent to, the row, the reservation); what is known at the end (the model that answered after
any fallback, the cost) goes in the last chunk's `modeltui` field.
"""

from __future__ import annotations

import asyncio
import json

from modeltui.serve.relay import TEXT, Call
from modeltui.serve.wire import chunk, error_body, error_of, finish_reason, ours, usage


def _event(data: dict | str) -> bytes:
    return b"data: " + (data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)).encode() + b"\n\n"


class EventStream:
    def __init__(self, call: Call, include_usage: bool):
        self.call, self.include_usage = call, include_usage
        r = call.relay
        self.headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"),
                        (b"x-accel-buffering", b"no"), (b"x-modeltui-model", (r.model or "").encode()),
                        (b"x-modeltui-call-id", str(r.call_id or "").encode()),
                        (b"x-modeltui-reserved-usd", f"{r.reserved_usd or 0:.10f}".rstrip("0").rstrip(".").encode())]

    async def __call__(self, scope, receive, send) -> None:
        call, relay = self.call, self.call.relay
        cid = f"chatcmpl-modeltui-{relay.call_id}"
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.headers})
            first = True
            while True:
                kind, value = await relay.queue.get()
                if kind != TEXT:
                    break
                await send({"type": "http.response.body", "more_body": True,
                            "body": _event(chunk(cid, relay.model or "", value, role=first))})
                first = False
            try:
                result = call.task.result()
            except asyncio.CancelledError:
                return  # the client left: the call was logged as cancelled
            except Exception as exc:  # noqa: BLE001 - said in the stream, as OpenAI says errors there
                _, message, code, type_ = error_of(exc)
                body = error_body(message, type_, code)
                await send({"type": "http.response.body", "body": _event(body) + _event("[DONE]"), "more_body": False})
                return
            s = result.summary().to_dict()
            if s["status"] != "ok":
                tail = _event(error_body(f"{s['error_kind']}: {s['error']}", "upstream_error", s["error_kind"])
                              | {"modeltui": ours(s)})
            else:
                tail = _event(chunk(cid, s["model"], finish=finish_reason(s["finish_reason"]), extra=ours(s)))
                if self.include_usage:
                    tail += _event(chunk(cid, s["model"], usage_=usage(s), extra=ours(s)))
            await send({"type": "http.response.body", "body": tail + _event("[DONE]"), "more_body": False})
        except OSError:  # the connection broke while writing (uvicorn's ClientDisconnected is one)
            pass
        finally:
            call.abandon()  # cancelled here or the client gone: the call must not run on unread

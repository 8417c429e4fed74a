"""The Textual app: a chat routed by tier. The engine opens and litellm loads in the background,
so the first screen paints at once; a prompt sent before the engine is ready waits visibly."""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Markdown, Static, TextArea

from modeltui.config import TIERS, Config


class ModeltuiApp(App):
    TITLE = "modeltui"
    CSS = """
    #banner { background: $warning 30%; padding: 0 1; display: none; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    #chat { height: 1fr; padding: 0 1; }
    .meta { color: $text-muted; margin-top: 1; }
    .you { color: $accent; margin-top: 1; }
    #prompt { height: 5; }
    """
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding("f2", "tier('budget')", "Budget", id="tier.budget", priority=True),
        Binding("f3", "tier('balanced')", "Balanced", id="tier.balanced", priority=True),
        Binding("f4", "tier('premium')", "Premium", id="tier.premium", priority=True),
        Binding("f5", "tier('auto')", "Auto", id="tier.auto", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.tier = cfg.default_tier
        self.engine = None
        self.ready = asyncio.Event()
        self.startup_error: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="banner")
        yield Static(id="status")
        yield VerticalScroll(id="chat")
        yield TextArea(id="prompt", soft_wrap=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#prompt", TextArea).focus()
        self._show_status("starting: loading models…")
        self.open_engine()

    def _show_status(self, text: str) -> None:
        self.query_one("#status", Static).update(f"tier [b]{self.tier}[/b] · {text}")

    @work(exclusive=True, group="engine")
    async def open_engine(self) -> None:
        from modeltui.engine import Engine
        from modeltui.errors import ModeltuiError

        try:
            self.engine = await Engine.open(cfg=self.cfg)
            await self.engine.preload()
        except ModeltuiError as exc:
            self.startup_error = str(exc)
            self.exit()
            return
        if all(m.simulated for m in self.engine.catalog.available()):
            banner = self.query_one("#banner", Static)
            banner.update("Only simulated demo models are available. Set a provider key "
                          "(e.g. OPENAI_API_KEY) or start Ollama to use real models.")
            banner.display = True
        self.ready.set()
        self._show_status("ready")

    def action_tier(self, tier: str) -> None:
        if tier in TIERS and tier != self.tier:
            from modeltui.config import save

            self.tier = self.cfg.default_tier = tier
            save(self.cfg)  # the choice persists to the config file
            self._show_status("ready" if self.ready.is_set() else "loading…")

    def action_send(self) -> None:
        area = self.query_one("#prompt", TextArea)
        prompt = area.text.strip()
        if prompt:
            area.clear()
            self.ask(prompt)

    @work(group="calls")
    async def ask(self, prompt: str) -> None:
        chat = self.query_one("#chat", VerticalScroll)
        you = Static(f"> {prompt}", classes="you", markup=False)
        meta = Static("waiting for the engine…", classes="meta", markup=False)
        answer = Markdown("")
        await chat.mount_all([you, meta, answer])
        chat.scroll_end(animate=False)
        await self.ready.wait()
        meta.update(f"routing ({self.tier})…")
        stream = Markdown.get_stream(answer)
        try:
            result = await self.engine.ask(prompt, tier=self.tier, on_text=lambda s: self.call_next(stream.write, s))
        except Exception as exc:  # noqa: BLE001 - shown in place, the app stays up
            from modeltui.redact import redact

            meta.update(f"error: {redact(exc)}")
            await stream.stop()
            return
        await stream.stop()
        s = result.summary()
        sim = " (simulated)" if s["simulated"] else ""
        cost = "unknown" if s["cost_usd"] is None else f"${s['cost_usd']:.6f}"
        meta.update(f"{s['model']}{sim} · {s['effective_tier']} · {s['use_case']} · "
                    f"{s['tokens_in']}→{s['tokens_out']} tok · {cost} · {s['latency_ms']:.0f} ms · "
                    f"{s['status']}\nwhy: {result.decision.why()}"
                    + (f"\nerror: {s['error_kind']}: {s['error']}" if s["status"] != "ok" else ""))
        chat.scroll_end(animate=False)

    async def on_unmount(self) -> None:
        if self.engine is not None:
            await self.engine.close()

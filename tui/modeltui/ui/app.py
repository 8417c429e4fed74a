"""The Textual app. The engine opens and litellm loads in the background, so the first screen
paints at once; a prompt sent before the engine is ready waits with a visible status. Screens
render and post messages; the engine does the work."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding

from modeltui.settings.actions import ACTIONS
from modeltui.vocab.tiers import TIERS, Tier

# from the one table of actions (settings/actions.py): the footer shows those marked `show`
BINDINGS = [Binding(a.key, a.action, a.label, id=a.id, priority=a.priority, show=a.show) for a in ACTIONS if a.key]


class ModeltuiApp(App):
    TITLE = "modeltui"
    CSS_PATH = "app.tcss"
    BINDINGS = BINDINGS

    def __init__(self, cfg=None, *, config_path: str | None = None, raw: dict | None = None,
                 extra_theme_dirs: list[Path] | None = None):
        """`cfg` is a validated Config; or pass the raw TOML (`raw`, `config_path`) and the app
        validates it with pydantic right after the first paint (pydantic costs ~0.15 s to load)."""
        super().__init__()
        self.cfg = cfg
        self.config_path = config_path
        raw = raw or {}
        ui = {"default_tier": cfg.default_tier, "theme": cfg.theme, "keymap": cfg.keymap} if cfg else raw
        tier, theme, keymap = ui.get("default_tier"), ui.get("theme"), ui.get("keymap")
        self.tier = tier if tier in TIERS else Tier.BALANCED.value
        self.keymap = keymap if isinstance(keymap, dict) and all(isinstance(v, str) for v in keymap.values()) else {}
        self.engine = None
        self.ready = asyncio.Event()
        self.startup_error: str | None = None
        from modeltui.ui.themes import load_themes

        themes, self.theme_problems = load_themes(extra_theme_dirs)
        for t in themes:
            self.register_theme(t)
        self.theme = theme if theme in self.available_themes else (
            "modeltui-dark" if "modeltui-dark" in self.available_themes else "textual-dark")
        known = {b.id for b in BINDINGS}
        self.keymap_problems = [f"keymap: unknown binding id '{k}'" for k in self.keymap if k not in known]
        self.set_keymap({k: v for k, v in self.keymap.items() if k in known})

    def get_default_screen(self):
        from modeltui.ui.screens.chat import ChatScreen

        return ChatScreen()

    def tier_keys(self) -> dict[str, str]:
        return {t: self.keymap.get(f"tier.{t}", b.key) for t in TIERS for b in BINDINGS if b.id == f"tier.{t}"}

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._save_theme)
        import signal

        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                asyncio.get_running_loop().add_signal_handler(sig, self._on_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (tests) or no signals here
        for problem in self.theme_problems + self.keymap_problems:  # shown, not fatal
            self.notify(problem, severity="warning")

    def _on_signal(self, signum: int) -> None:
        """SIGTERM/SIGHUP: with calls in flight, quit as ctrl+q does so they are logged as cancelled;
        with none, die at once as the signal would (nothing is being written)."""
        import os
        import signal
        import threading

        def die() -> None:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        if any(w.group in ("calls", "tournament") and not w.is_finished for w in self.workers):
            self.call_later(self.action_quit)
            timer = threading.Timer(8.0, die)  # the terminal may be gone: never outlive the signal by much
            timer.daemon = True
            timer.start()
            return
        die()

    @property
    def chat(self):
        from modeltui.ui.screens.chat import ChatScreen

        return next(s for s in self.screen_stack if isinstance(s, ChatScreen))

    @work(exclusive=True, group="engine")
    async def open_engine(self) -> None:
        from modeltui.errors import ModeltuiError

        try:
            if self.cfg is None:
                from modeltui.settings import config

                self.cfg = config.load(self.config_path)
                if self.cfg.default_tier != self.tier or self.cfg.theme != self.theme:
                    self.cfg.default_tier, self.cfg.theme = self.tier, self.theme  # chosen before it loaded
                    self._remember(tier=self.tier, theme=self.theme)
            from modeltui.calls.engine import Engine
            from modeltui.signals import standard

            self.engine = await Engine.open(cfg=self.cfg, listeners=standard)
            self.sub_title = f"session {self.engine.session}"
            if all(m.simulated for m in self.engine.catalog.available()):
                self.chat.show_banner("DEMO: simulated models, answers are not real. Set a provider key (F1) or start Ollama.")
            await self.chat.refresh_meter()
            self.chat.set_status("loading litellm…")
            await self.engine.preload(warm=True)
        except ModeltuiError as exc:
            self.startup_error = str(exc)
            self.exit(return_code=exc.exit_code)
            return
        self.ready.set()
        self.chat.set_status("ready")

    # -- actions ------------------------------------------------------------------------------
    def action_send(self) -> None:
        if (send := getattr(self.screen, "send", None)) is not None:  # the chat and the tournament
            send()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """ctrl+s is offered only where there is something to send."""
        return action != "send" or hasattr(self.screen, "send")

    def action_tier(self, tier: str) -> None:
        if tier not in TIERS or tier == self.tier:
            return
        self.tier = tier
        self.chat.query_one("#tierbar").tier = tier
        if self.cfg is not None:
            self.cfg.default_tier = tier
            self._remember(tier=tier)  # the choice persists (or is saved once the config has loaded)

    def action_help(self) -> None:
        from modeltui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_stop(self) -> None:
        """Stop what is streaming: the chat's answers, or the tournament on screen."""
        running = [w for w in self.workers if w.group in ("calls", "tournament") and not w.is_finished]
        for w in running:
            w.cancel()
        self.notify("stopped: logged as cancelled with its partial cost" if running else "nothing is streaming")

    def action_focus_prompt(self) -> None:
        if self.screen is self.chat:
            self.chat.query_one("#prompt").focus()

    def action_tournament(self) -> None:
        from modeltui.ui.screens.tournament import TournamentScreen

        if isinstance(self.screen, TournamentScreen):
            self.screen.query_one("#tprompt").focus()  # already here: never a second one on top
            return
        prompt = self.chat.query_one("#prompt").text.strip() if self.screen is self.chat else ""
        self.push_screen(TournamentScreen(prompt, blind=bool(self.cfg and self.cfg.tournament.blind)))

    def action_rankings(self) -> None:
        from modeltui.ui.screens.rankings import RankingsScreen

        if self.engine is not None:
            self.push_screen(RankingsScreen())

    def action_runs(self) -> None:
        from modeltui.ui.screens.runs import RunsScreen

        if self.engine is not None:
            self.push_screen(RunsScreen())

    def action_history(self) -> None:
        from modeltui.ui.screens.history import HistoryScreen

        if self.engine is not None:
            self.push_screen(HistoryScreen())

    def action_export(self) -> None:
        from modeltui.ui.screens.export import ExportScreen

        if self.engine is not None:
            self.push_screen(ExportScreen(), lambda msg: msg and self.notify(msg, timeout=8))

    async def action_breakdown(self) -> None:
        self.chat.query_one("#meter").toggle_breakdown()
        await self.chat.refresh_meter()

    def action_new_chat(self) -> None:
        self.chat.new_conversation()

    async def action_quit(self) -> None:
        """Cancel calls in flight and let them log themselves as cancelled before exiting."""
        running = [w for w in self.workers if w.group in ("calls", "tournament") and not w.is_finished]
        for w in running:
            w.cancel()
        if running:
            await asyncio.wait([asyncio.ensure_future(w.wait()) for w in running], timeout=5)
        self.exit()

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        for a in ACTIONS:
            if a.palette:
                yield SystemCommand(a.palette, a.help, lambda a=a.action: self.run_action(a))
        yield SystemCommand("System prompt…", "set or clear this conversation's system prompt", self.ask_system_prompt)
        for name, t in (self.cfg.templates.items() if self.cfg is not None else ()):
            what = " + ".join(x for x, v in (("system prompt", t.system), ("prompt text", t.prompt)) if v)
            yield SystemCommand(f"Template: {name}", f"use template '{name}' ({what})",
                                lambda n=name: self.use_template(n))

    def use_template(self, name: str) -> None:
        t = self.cfg.templates[name]
        if self.screen is not self.chat:
            self.pop_screen()
        if t.system is not None:
            self.chat.set_system_prompt(t.system)
        if t.prompt:
            area = self.chat.query_one("#prompt")
            area.insert(t.prompt)
            area.focus()

    def ask_system_prompt(self) -> None:
        from modeltui.ui.screens.system_prompt import SystemPrompt

        self.push_screen(SystemPrompt(self.chat.system), lambda text: text is not None and
                         self.chat.set_system_prompt(text))

    def _save_theme(self, theme) -> None:
        if self.cfg is not None and self.cfg.theme != theme.name:
            self.cfg.theme = theme.name
            self._remember(theme=theme.name)

    def _remember(self, **values: str) -> None:
        """Choices go to the state file beside the log; the user's config file is only read."""
        from modeltui.settings import state_file as state

        try:
            state.remember(self.cfg.db_path(), **values)
        except OSError as exc:
            self.notify(f"could not remember the setting: {exc}", severity="warning")

    async def on_unmount(self) -> None:
        if self.engine is not None:
            await self.engine.close(wait_s=0)  # quitting does not wait for shadow checks (they are logged as cancelled)

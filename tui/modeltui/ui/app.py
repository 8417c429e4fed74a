"""The Textual app. The engine opens and litellm loads in the background, so the first screen
paints at once; a prompt sent before the engine is ready waits with a visible status.

Navigation: the five views (chat, tournament, rankings, history, runs) are modes, switched by
their keys and never stacked. Dialogs (export, system prompt, pick a model, help, the palette)
are modal screens over the current view, one at a time, and own the keyboard while open: only
stop and quit still act (see DIALOG_KEEPS). Screens post messages (ui/messages.py); the app
routes them to the view that owns them."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen

from modeltui.settings.actions import ACTIONS, DIALOG_KEEPS, VIEWS
from modeltui.ui import messages as msg
from modeltui.ui import shutdown, textual_guards
from modeltui.ui.screens import view_class
from modeltui.vocab.tiers import TIERS, Tier

# from the one table of actions (settings/actions.py): the footer shows those marked `show`
BINDINGS = [Binding(a.key, a.action, a.label, id=a.id, priority=a.priority, show=a.show) for a in ACTIONS if a.key]
LOG_WATCH_S = 1.0  # how soon a call from another process shows in the meter and history
OUR_ACTIONS = {a.action.split("(")[0] for a in ACTIONS} | {"command_palette"}
textual_guards.install()


class ModeltuiApp(App):
    TITLE = "modeltui"
    CSS_PATH = "app.tcss"
    BINDINGS = BINDINGS
    DEFAULT_MODE = "chat"
    tier: reactive[str] = reactive(Tier.BALANCED.value, init=False)

    def __init__(self, cfg=None, *, config_path: str | None = None, raw: dict | None = None,
                 extra_theme_dirs: list[Path] | None = None):
        """`cfg` is a validated Config; or pass the raw TOML (`raw`, `config_path`) and the app
        validates it with pydantic right after the first paint (pydantic costs ~0.15 s to load)."""
        super().__init__()
        for name in VIEWS:
            self.add_mode(name, partial(self._make_view, name))
        self.views: dict = {}  # name -> its View, once made
        self.cfg = cfg
        self.config_path = config_path
        raw = raw or {}
        if cfg is not None:
            from modeltui.settings import config_file, state_file

            raw = {"default_tier": cfg.default_tier, "theme": cfg.theme, "keymap": cfg.keymap,
                   "app_tier": config_file.app_tier(state_file.read(cfg.db_path()))}
        tier, theme, keymap = raw.get("app_tier") or raw.get("default_tier"), raw.get("theme"), raw.get("keymap")
        self.set_reactive(ModeltuiApp.tier, tier if tier in TIERS else Tier.BALANCED.value)
        self.keymap = keymap if isinstance(keymap, dict) and all(isinstance(v, str) for v in keymap.values()) else {}
        self.engine = None
        self.hosted = None  # the server hosted for other tools ([serve] in_app)
        self.log_watch = None  # the timer of _watch_log, once the log is open
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

    def _make_view(self, name: str):
        view = view_class(name)()
        self.views[name] = view
        return view

    @property
    def chat(self):
        """The chat view (made first: it is the default mode)."""
        return self.views["chat"]

    @property
    def dialog(self) -> ModalScreen | None:
        """The dialog open over the current view, if any."""
        return self.screen if isinstance(self.screen, ModalScreen) else None

    def key_for(self, action_id: str) -> str:
        return self.keymap.get(action_id) or next(a.key for a in ACTIONS if a.id == action_id)

    def tier_keys(self) -> dict[str, str]:
        return {t: self.key_for(f"tier.{t}") for t in TIERS}

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._save_theme)
        shutdown.watch_signals(self)
        for problem in self.theme_problems + self.keymap_problems:  # shown, not fatal
            self.notify(problem, severity="warning")
        self.call_after_refresh(self.open_engine)  # paint first, then the imports and I/O

    def _status(self, text: str, banner: str | None = None, ready: bool = False) -> None:
        self.chat.post_message(msg.EngineStatus(text, banner, ready))

    @work(exclusive=True, group="engine")
    async def open_engine(self) -> None:
        from modeltui.errors import ModeltuiError

        try:
            if self.cfg is None:
                from modeltui.settings import config

                self.cfg = config.load(self.config_path)
            from modeltui.calls.engine import Engine
            from modeltui.signals import standard

            self.engine = await Engine.open(cfg=self.cfg, listeners=standard, team_retry=True)
            self.engine.ledger.watch(lambda offline: self.chat.post_message(msg.TeamReach(offline)))
            if self.engine.ledger.offline:  # unreachable at the start: said now, retried by the ledger
                self.chat.post_message(msg.TeamReach(self.engine.ledger.offline))
            self.sub_title = f"session {self.engine.session}"
            demo = all(m.simulated for m in self.engine.catalog.available())
            self._status("loading litellm…", banner="DEMO: simulated answers. Set a provider key or start Ollama "
                         "(F1 says how)." if demo else None)  # one row at 80 columns; narrower, it wraps
            await self.engine.preload(warm=True)
        except ModeltuiError as exc:
            self.startup_error = str(exc)
            self.exit(return_code=exc.exit_code)
            return
        if self.cfg.serve.in_app:  # other tools through this app's engine: the meter shows their calls
            from modeltui.serve.run import host

            try:
                self.hosted = await host(self.engine, self.cfg.serve.host, self.cfg.serve.port)
                self.notify(f"serving other tools at {self.hosted.url}")
            except ModeltuiError as exc:
                self.notify(f"[serve] in_app: {exc}", severity="warning", markup=False)
        self.log_version = await self.engine.store.version()
        self.log_watch = self.set_interval(LOG_WATCH_S, self._watch_log)
        self.ready.set()
        self._status("ready", ready=True)

    async def _watch_log(self) -> None:
        """The one watch on the log: when anything was committed since the last look (calls from
        other tools through a server, a CLI, ours), the views that show the log read it again.
        A look that fails (the log closing, a disk error) is skipped: the next one tries again."""
        from modeltui.errors import StoreError

        try:
            version = await self.engine.store.version()
        except StoreError:
            return
        if version != self.log_version:
            self.log_version = version
            for view in self.views.values():
                view.post_message(msg.LogChanged())

    # -- the one gate: a dialog owns the keys ---------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """While a dialog is open only stop and quit act; ctrl+s only where there is something to send."""
        if action in OUR_ACTIONS and self.dialog is not None and action not in DIALOG_KEEPS:
            return False
        if action == "send":
            return hasattr(self.screen, "send")
        return True

    def action_command_palette(self) -> None:
        from modeltui.ui.screens.palette import Palette

        if self.dialog is None and self.use_command_palette:
            self.push_screen(Palette(id="--command-palette"))

    def on_open_dialog(self, message: msg.OpenDialog) -> None:
        self.open_dialog(message.dialog, message.done)

    def open_dialog(self, dialog: ModalScreen, done=None) -> bool:
        """The only way a dialog opens: never over another dialog."""
        if self.dialog is not None:
            return False
        self.push_screen(dialog, done)
        return True

    # -- views ------------------------------------------------------------------------------------
    async def action_view(self, name: str) -> None:
        """Switch to a view (again: its own 'again' behaviour, e.g. focus its input). The views
        that read the log wait for the engine."""
        if name not in VIEWS or (name not in ("chat", "tournament") and self.engine is None):
            if name in VIEWS:
                self.notify("the log is still opening", timeout=2)
            return
        draft = self.chat.draft() if self.current_mode == "chat" and name == "tournament" else ""
        await self.switch_mode(name)
        if draft:
            self.views[name].post_message(msg.Prefill(draft))
        self.views[name].post_message(msg.FocusPrompt())

    async def action_back(self) -> None:
        """escape: on a view, back to the chat; on the chat, the cursor to the prompt."""
        await self.action_view("chat")

    async def on_resume(self, message: msg.Resume) -> None:
        if self._from_current(message):
            await self.switch_mode("chat")
            self.chat.post_message(message)

    async def on_show_tournament(self, message: msg.ShowTournament) -> None:
        if self._from_current(message):
            await self.switch_mode("tournament")
            self.views["tournament"].post_message(message)

    def _from_current(self, message) -> bool:
        """A message from a view that is no longer on screen is dropped (it was meant for then)."""
        sender = message._sender
        return sender is None or sender is self.screen

    # -- actions ----------------------------------------------------------------------------------
    def action_send(self) -> None:
        if (send := getattr(self.screen, "send", None)) is not None:  # the chat and the tournament
            send()

    def action_tier(self, tier: str) -> None:
        if tier not in TIERS or tier == self.tier:
            return
        self.tier = tier  # the chat's tier bar watches this
        self._remember(app_tier=tier)  # the app's own choice: the CLI keeps the config's default_tier

    def action_help(self) -> None:
        from modeltui.ui.screens.help import HelpScreen

        self.open_dialog(HelpScreen())

    def action_stop(self) -> None:
        """Stop what is streaming: the chat's answers, or the tournament."""
        running = shutdown.cancel_calls(self)
        self.notify("stopped: logged as cancelled with its partial cost" if running else "nothing is streaming")

    def action_export(self) -> None:
        from modeltui.ui.screens.export import ExportScreen

        if self.engine is not None:
            self.open_dialog(ExportScreen(), lambda text: text and self.notify(text, timeout=8))

    def action_breakdown(self) -> None:
        self.chat.post_message(msg.ToggleBreakdown())

    async def action_new_chat(self) -> None:
        await self.switch_mode("chat")
        self.chat.post_message(msg.NewConversation())

    async def action_quit(self) -> None:
        """Cancel calls in flight and let them log themselves as cancelled before exiting."""
        await shutdown.quit_app(self)

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        for a in ACTIONS:
            if a.palette:
                yield SystemCommand(a.palette, a.help, partial(self.call_later, self.run_action, a.action))
        yield SystemCommand("System prompt…", "set or clear this conversation's system prompt",
                            partial(self.call_later, self.ask_system_prompt))
        for name, t in (self.cfg.templates.items() if self.cfg is not None else ()):
            what = " + ".join(x for x, v in (("system prompt", t.system), ("prompt text", t.prompt)) if v)
            yield SystemCommand(f"Template: {name}", f"use template '{name}' ({what})",
                                partial(self.call_later, self.use_template, name))

    async def use_template(self, name: str) -> None:
        t = self.cfg.templates[name]
        await self.switch_mode("chat")
        self.chat.post_message(msg.UseTemplate(t.system, t.prompt))

    async def ask_system_prompt(self) -> None:
        from modeltui.ui.screens.system_prompt import SystemPrompt

        await self.switch_mode("chat")
        self.open_dialog(SystemPrompt(self.chat.system),
                         lambda text: text is not None and self.chat.post_message(msg.SetSystemPrompt(text)))

    def _save_theme(self, theme) -> None:
        if self.cfg is not None and self.cfg.theme != theme.name:
            self.cfg.theme = theme.name
            self._remember(theme=theme.name)

    def _remember(self, **values: str) -> None:
        """Choices go to the state file beside the log; the user's config file is only read."""
        from modeltui.settings import paths, state_file as state

        try:
            state.remember(self.cfg.db_path() if self.cfg is not None else paths.default_db(), **values)
        except OSError as exc:
            self.notify(f"could not remember the setting: {exc}", severity="warning")

    async def on_unmount(self) -> None:
        if self.log_watch is not None:
            self.log_watch.stop()  # before the log closes under it
        if self.hosted is not None:
            await self.hosted.stop()
        if self.engine is not None:
            await self.engine.close(wait_s=0)  # quitting does not wait for shadow checks (they are logged as cancelled)

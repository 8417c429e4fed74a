"""The chat: prompts routed by tier, answers streamed with their cost and reasons, the meter."""

from __future__ import annotations

import asyncio
import os
import time

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Static, TextArea

from modeltui.ui import messages as msg
from modeltui.ui.screens.view import View
from modeltui.ui.widgets.meter import CostMeter
from modeltui.ui.widgets.tierbar import TierBar
from modeltui.vocab import CallKind
from modeltui.vocab.ids import new_session_id  # (a conversation's id has a session id's form)


class Banner(Static):
    """One line; a click hides it (the meter keeps saying "simulated")."""

    def on_click(self) -> None:
        self.display = False


class ChatScreen(View):
    BINDINGS = [Binding("tab", "tab_out(1)", "Next", show=False), Binding("shift+tab", "tab_out(-1)", "Previous", show=False),
                Binding("escape", "app.back", "Back", id="focus.prompt", show=False)]  # (on the chat: to the prompt)

    def __init__(self) -> None:
        super().__init__()
        self.history: list[dict] = []  # the conversation sent as context with each prompt
        self.conversation = new_session_id()  # logged with each call: escalation and history find it
        self.system: str = ""  # this conversation's system prompt (palette: "System prompt…", templates)

    def compose(self) -> ComposeResult:
        app = self.app
        keys = app.tier_keys()
        yield Header()
        yield Banner(id="banner", markup=False)
        yield TierBar(app.tier, keys, id="tierbar")
        with Horizontal(id="main"):
            chat = VerticalScroll(id="chat")
            chat.can_focus = False  # no invisible stop on the way from the prompt to the answers
            yield chat
            yield CostMeter(id="meter")
        yield Static(id="status", markup=False)
        yield TextArea(id="prompt", soft_wrap=True, show_line_numbers=False,
                       placeholder=f"Ask anything. {app.key_for('send')} sends; {keys['budget']}…{keys['auto']} "
                                   f"pick the tier; {app.key_for('help')} help; ctrl+p every action.")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        self.query_one("#prompt", TextArea).focus()
        self.watch(self.app, "tier", self._tier_changed, init=False)
        self.set_status("starting: loading models in the background…")
        if mark := os.environ.get("MODELTUI_PAINT_MARK"):  # benchmarks/first_paint.py
            self.call_after_refresh(self._mark_paint, mark)

    def _mark_paint(self, path: str) -> None:
        with open(path, "w") as fh:
            fh.write(f"{time.time()} {self.app.focused.id if self.app.focused else ''}")

    def _tier_changed(self, tier: str) -> None:
        self.query_one("#tierbar", TierBar).tier = tier

    def draft(self) -> str:
        """The prompt being typed (F6 takes it to the tournament)."""
        return self.query_one("#prompt", TextArea).text.strip()

    # -- what the app tells the chat -----------------------------------------------------------
    async def on_engine_status(self, message: msg.EngineStatus) -> None:
        if message.banner:
            self.show_banner(message.banner)
        engine = self.engine
        offline = engine.ledger.offline if engine is not None else None
        self.set_status(offline or message.text)  # "ready" would hide that nothing can be sent
        await self.refresh_meter()

    async def on_team_reach(self, message: msg.TeamReach) -> None:
        if message.offline:
            self.set_status(message.offline)
            self.notify(message.offline, severity="error", timeout=10, markup=False)
        else:
            self.set_status("team database reachable again: sends go out under the team cap")
            self.notify("team database reachable again", timeout=5)
        await self.refresh_meter()

    def on_set_system_prompt(self, message: msg.SetSystemPrompt) -> None:
        self.set_system_prompt(message.text)

    def on_use_template(self, message: msg.UseTemplate) -> None:
        if message.system is not None:
            self.set_system_prompt(message.system)
        if message.prompt:
            area = self.query_one("#prompt", TextArea)
            area.insert(message.prompt)
            area.focus()

    def on_new_conversation(self, message: msg.NewConversation) -> None:
        self.new_conversation()

    def on_focus_prompt(self, message: msg.FocusPrompt) -> None:
        self.query_one("#prompt").focus()

    async def on_log_changed(self, message: msg.LogChanged) -> None:
        await self.refresh_meter()

    async def on_toggle_breakdown(self, message: msg.ToggleBreakdown) -> None:
        self.query_one(CostMeter).toggle_breakdown()
        await self.refresh_meter()

    async def on_resume(self, message: msg.Resume) -> None:
        from modeltui.ui.screens.chat_resume import reopen

        await reopen(self, message.conversation)

    def action_tab_out(self, step: int) -> None:
        """Tab from the prompt goes to the newest answer's buttons (shift+tab: its last one);
        elsewhere tab moves as usual."""
        from textual.widgets import Button

        if self.focused is self.query_one("#prompt"):
            from modeltui.ui.widgets.answer import Answer

            answers = list(self.query(Answer))
            buttons = [b for b in answers[-1].query(Button) if not b.disabled] if answers else []
            if buttons:
                (buttons[0] if step > 0 else buttons[-1]).focus()
            return
        self.focus_next() if step > 0 else self.focus_previous()

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def show_banner(self, text: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(text)  # (a click hides it: help says so)
        banner.display = True

    async def refresh_meter(self) -> None:
        engine = self.engine
        if engine is None:
            return
        from modeltui import reports

        meter = self.query_one(CostMeter)
        breakdown = bool(self.query_one("#meter-models").display)
        report = await reports.budget(engine, by_model=breakdown)
        meter.update_figures(report.figures, report.by_model if breakdown else None)

    def send(self) -> None:
        area = self.query_one("#prompt", TextArea)
        prompt = area.text.strip()
        if prompt:
            area.clear()
            self.ask(prompt)

    def new_conversation(self) -> None:
        """Stop what is streaming (it is logged as cancelled), then start afresh."""
        stopped = self.my_workers("calls")
        for w in stopped:
            w.cancel()
        self.history.clear()
        self.conversation = new_session_id()
        self.query_one("#chat").remove_children()
        self.set_status("new conversation" + (" (the answer in progress was stopped and logged)" if stopped else ""))
        self.query_one("#prompt").focus()

    def set_system_prompt(self, text: str) -> None:
        self.system = text.strip()
        self.set_status(f"system prompt: {self.system[:60]}{'…' if len(self.system) > 60 else ''}" if self.system
                        else "system prompt cleared")

    def on_screen_resume(self) -> None:
        self.query_one("#prompt").focus()  # back from a view or a dialog: typing goes to the prompt

    @work(group="calls")
    async def ask(self, prompt: str, *, model: str | None = None, escalate_from: int | None = None,
                  retry_of=None) -> None:
        """Ask `prompt` in this conversation; or escalate a logged call; or (`retry_of`: an Answer)
        re-ask its prompt on `model` with the context it had, linked to it."""
        from modeltui.calls.request import AskRequest  # (pydantic and co. are not needed to paint)
        from modeltui.ui.screens.chat_live import LiveAnswer
        from modeltui.ui.widgets.answer import Answer, meta_line, stopped_line  # (Markdown: not for the first paint)

        app = self.app
        chat = self.query_one("#chat", VerticalScroll)
        answer = Answer(prompt, forced=f"retry of call {retry_of.call_id}: {model}, chosen by you"
                        if retry_of is not None else None)
        await chat.mount(answer)
        self.set_status("")  # notes of an earlier answer no longer apply
        chat.scroll_end(animate=False)
        if not app.ready.is_set():
            answer.set_meta("waiting: models are still loading…")
            await app.ready.wait()
        engine = app.engine
        tier = app.tier
        answer.set_meta(f"routing ({tier})…")
        meter = self.query_one(CostMeter)
        context = list(retry_of.context) if retry_of is not None else list(self.history)
        answer.context = context
        live = LiveAnswer(self, answer, meter, chat)
        try:
            if escalate_from is not None:
                from modeltui.signals import feedback

                result = await feedback.escalate(engine, escalate_from, live)
            else:
                result = await engine.ask(AskRequest(
                    prompt, history=tuple(context), tier=tier, model=model, conversation=self.conversation,
                    system=self.system or None,
                    kind=CallKind.RETRY if retry_of is not None else CallKind.CHAT,
                    origin_id=retry_of.call_id if retry_of is not None else None), live)
        except asyncio.CancelledError:
            answer.set_error(stopped_line(live.current, live.decision))
            raise
        except Exception as exc:  # noqa: BLE001 - an error takes the answer's place; the app stays up
            from modeltui.errors import NoModelAvailable
            from modeltui.providers.redact import redact

            if escalate_from is not None and isinstance(exc, NoModelAvailable):
                await answer.remove()  # nothing was asked: a note, not an answer with buttons for no call
                self.notify(redact(exc), severity="warning", timeout=8)
                return
            answer.set_error(f"error: {redact(exc)}")
            await answer.finish()
            answer.enable_actions(None)
            return
        finally:
            meter.set_live(None)
        await answer.finish()
        s = result.summary()
        if s.status == "ok":
            answer.set_meta(meta_line(s))
            self.history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": s.text}]
        else:
            answer.set_error(meta_line(s) + f"\nerror: {s.error_kind}: {s.error}")
        answer.set_decision(result.decision.why(), s.reasons)  # (again: fallbacks add notes)
        answer.enable_actions(result.call_id)
        await self.refresh_meter()
        chat.scroll_end(animate=False)

    async def on_answer_action(self, event) -> None:
        a, engine = event.answer, self.engine
        if event.action == "copy":
            self.app.copy_to_clipboard(a.text)
            where = ("inside tmux it reaches your clipboard only with `set -g set-clipboard on`"
                     if os.environ.get("TMUX") else "if your terminal supports OSC 52; it cannot confirm it")
            self.notify(f"answer ({len(a.text)} characters) sent to the terminal's clipboard: {where}", timeout=8)
            if a.call_id:
                from modeltui.signals import feedback

                await feedback.copied(engine, a.call_id)
        elif event.action in ("up", "down") and a.call_id:
            from modeltui.signals import feedback

            await feedback.thumb(engine, a.call_id, event.action == "up")
            a.mark_thumb(event.action)
            self.notify(f"thumbs {event.action} recorded (pressing the other one replaces it)")
        elif event.action == "escalate" and a.call_id:
            self.ask(a.prompt, escalate_from=a.call_id)
        elif event.action == "retry":
            from modeltui.ui.screens.pick_model import PickModel

            def chosen(model: str | None) -> None:
                if model:
                    self.ask(a.prompt, model=model, retry_of=a)

            self.tell(msg.OpenDialog(PickModel(sorted(m.id for m in engine.catalog.available())), chosen))
            return
        self.query_one("#prompt").focus()  # after a button, typing goes to the prompt again

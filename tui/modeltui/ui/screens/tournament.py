"""Tournament: one prompt, three columns streaming side by side, the verdict, vote keys.

Blind mode (config `tournament.blind`, ctrl+r here) shows the answers as A / B / C with no model
names or prices until the vote is cast, then reveals them, as Chatbot Arena does against brand bias."""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown, Static

from modeltui.signals.agreement import judge_line
from modeltui.ui.widgets.meter import money

VOTE_KEYS = {"a": "A", "b": "B", "c": "C", "t": "tie", "x": "all_bad"}


class TournamentScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("a", "vote('a')", "A wins"), ("b", "vote('b')", "B wins"),
                ("c", "vote('c')", "C wins"), ("t", "vote('t')", "Tie"), ("x", "vote('x')", "All bad"),
                ("ctrl+r", "blind", "Blind on/off")]

    def __init__(self, prompt: str = "", blind: bool = False):
        super().__init__()
        self.initial = prompt
        self.blind = blind
        self.tournament_id: str | None = None
        self.voted = False
        self.entrants: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(value=self.initial, placeholder="prompt for three models (enter runs the tournament)", id="tprompt",
                    select_on_focus=False)  # a key typed after the answers must not be replaced by the next
        with Horizontal(id="columns"):
            for slot in "ABC":
                with Vertical(classes="column", id=f"col-{slot}"):
                    yield Static(f"{slot}", classes="colhead", markup=False)
                    with VerticalScroll():
                        yield Markdown("", classes="colbody")
        yield Static("", id="verdict", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.sub_title = "blind: names hidden until you vote" if self.blind else ""

    def action_blind(self) -> None:
        if self.tournament_id is not None and not self.voted and self.blind:
            self.notify("vote first: the names are revealed with the vote")
            return
        self.blind = not self.blind
        self.sub_title = "blind: names hidden until you vote" if self.blind else ""
        self.notify("blind mode " + ("on: the next tournament hides names and prices until the vote" if self.blind
                                     else "off"))
        self.show_heads()

    def show_heads(self) -> None:
        """Each column's head: the slot only while blind and not yet voted; else model, price, time."""
        hidden = self.blind and not self.voted
        for head, e in zip(self.query(".colhead").results(Static), self.entrants):
            if hidden:
                head.update(f"{e['slot']} · {e['status']}{' (' + e['error_kind'] + ')' if e.get('error_kind') else ''}")
                continue
            sim = " (simulated)" if e.get("simulated") else ""
            extra = f" · {money(e['cost_usd'])} · {e['latency_ms']:.0f} ms" if "cost_usd" in e else ""
            head.update(f"{e['slot']} · {e['model']}{sim} · {e['status']}{extra}")

    def on_key(self, event: events.Key) -> None:
        """Off the prompt box a b c t x vote (the bindings, which see a key only after this) and
        any other character starts the next prompt. Keys that reach the screen after the box took
        the focus were typed for it, fast or pasted, and are never read as votes."""
        if not (event.is_printable and event.character):
            return
        box, char = self.query_one(Input), event.character
        if self.focused is not box and char in VOTE_KEYS:
            return  # a vote (or, while the answers stream, a note that there is nothing to vote on yet)
        event.prevent_default()
        event.stop()
        if self.focused is box:
            box.replace(char, *box.selection)  # as the box types a key: over the selection, else at the cursor
        else:
            box.value, box.cursor_position = char, 1
            self.set_focus(box)  # now, not after a refresh: the keys right behind this one are the box's

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.send()

    def send(self) -> None:
        """enter in the box, or ctrl+s as on the chat: ask the three models."""
        if prompt := self.query_one(Input).value.strip():
            self.set_focus(None)  # keys go to on_key: the letters vote once the answers are in
            self.run_tournament(prompt)

    @work(exclusive=True, group="tournament")
    async def run_tournament(self, prompt: str) -> None:
        from modeltui.signals import tournament

        app = self.app
        verdict = self.query_one("#verdict", Static)
        if not app.ready.is_set():
            verdict.update("waiting: models are still loading…")
            await app.ready.wait()
        self.voted, self.tournament_id = False, None
        heads = list(self.query(".colhead").results(Static))
        bodies = list(self.query(".colbody").results(Markdown))
        streams = []
        for head, body in zip(heads, bodies):
            await body.update("")
            head.update("…")
            streams.append(Markdown.get_stream(body))
        verdict.update("asking three models…")
        try:
            result = await tournament.run(app.engine, prompt, on_text=lambda i, s: self.call_next(streams[i].write, s))
        except Exception as exc:  # noqa: BLE001 - shown in place; the app stays up
            from modeltui.providers.redact import redact

            verdict.update(f"error: {redact(exc)}")
            return
        finally:
            for s in streams:
                await s.stop()
        s = result.summary()
        self.entrants = s["entrants"]
        for body, e in zip(bodies, self.entrants):
            if e["status"] != "ok":  # (an error text may name the model: only its kind while blind)
                detail = "" if self.blind else (e.get("error") or "")
                body.update(f"**error**: {e.get('error_kind') or ''} {detail}".strip())
        self.show_heads()
        a = s["agreement"]
        self.tournament_id = result.id
        judged = judge_line(a)
        verdict.update(f"verdict: {a['overall'].upper()} — {a['reason']}" + (f"\n{judged}" if judged else "")
                       + "\nvote: a/b/c wins, t tie, x all bad; other keys type a new prompt"
                       + (" (names are revealed with your vote)" if self.blind else ""))

    async def action_vote(self, key: str) -> None:
        from modeltui.signals import feedback

        if self.tournament_id is None:
            self.notify("no finished tournament to vote on")
            return
        await feedback.vote(self.app.engine, self.tournament_id, VOTE_KEYS[key])
        again, self.voted = self.voted, True
        self.show_heads()  # a blind tournament is revealed now
        box = self.query_one(Input)  # next comes a prompt: typing replaces the last one
        self.set_focus(box)
        box.select_all()
        self.notify(f"vote {'changed to' if again else 'recorded'}: {VOTE_KEYS[key]}")

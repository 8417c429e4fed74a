"""Tournament: one prompt, three columns streaming side by side, the verdict, vote keys.

The columns' order is drawn per tournament. Blind mode (config `tournament.blind`, ctrl+r here)
shows the answers as A / B / C with no model names or prices until the vote, and masks a name
written in an answer (signals/blind.py), as Chatbot Arena does against brand bias.

Keys: before the answers are in, every key types. Once they are in, the prompt box gives up the
focus and a b c t x vote, again and again (a new vote replaces the old); any other key starts the
next prompt. The line under the columns always says which of the two the keys do now."""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Markdown, Static

from modeltui.signals.agreement import judge_line
from modeltui.ui import messages as msg
from modeltui.ui.screens.view import View
from modeltui.ui.widgets.meter import money

VOTE_KEYS = {"a": "A", "b": "B", "c": "C", "t": "tie", "x": "all_bad"}
SAID = {"A": "A wins", "B": "B wins", "C": "C wins", "tie": "a tie", "all_bad": "all bad"}
TYPING = "enter runs the tournament on three models"


class TournamentScreen(View):
    # the vote keys are said by the line under the columns (which also says when they type instead)
    BINDINGS = [*(Binding(k, f"vote('{k}')", label, show=False) for k, label in
                  (("a", "A wins"), ("b", "B wins"), ("c", "C wins"), ("t", "Tie"), ("x", "All bad"))),
                Binding("ctrl+r", "blind", "Blind")]

    def __init__(self):
        super().__init__()
        self.blind = False
        self.tournament_id: str | None = None
        self.voted: str | None = None
        self.entrants: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="prompt for three models (enter runs the tournament)", id="tprompt",
                    select_on_focus=False)  # a key typed after the answers must not be replaced by the next
        with Horizontal(id="columns"):
            for slot in "ABC":
                with Vertical(classes="column", id=f"col-{slot}"):
                    yield Static(f"{slot}", classes="colhead", markup=False)
                    with VerticalScroll():
                        yield Markdown("", classes="colbody")
        yield Static("", id="verdict", markup=False)
        yield Static(TYPING, id="keys", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        cfg = self.app.cfg
        self.blind = bool(cfg is not None and cfg.tournament.blind)
        self.sub_title = "blind: names hidden until you vote" if self.blind else ""
        self.query_one(Input).focus()

    # -- what the app tells the tournament ------------------------------------------------------
    def on_prefill(self, message: msg.Prefill) -> None:
        box = self.query_one(Input)
        if not self.my_workers("tournament"):
            box.value, box.cursor_position = message.prompt, len(message.prompt)

    def on_focus_prompt(self, message: msg.FocusPrompt) -> None:
        if self.voting():
            return  # the keys vote now (the line below the columns says so)
        self.query_one(Input).focus()

    async def on_show_tournament(self, message: msg.ShowTournament) -> None:
        """A tournament from the history: its answers, its verdict, and its vote (which may be changed)."""
        from modeltui import reports

        for w in self.my_workers("tournament"):
            w.cancel()
        t = await reports.tournament(self.engine, message.tournament_id)
        if t is None:
            self.notify(f"no tournament {message.tournament_id} in the log", severity="warning")
            return
        self.tournament_id, self.entrants = t["tournament_id"], t["entrants"]
        self.voted = {v: k for k, v in VOTE_KEYS.items()}.get(t["vote"])  # "A", "tie", … -> its key
        self.query_one(Input).value = t["prompt"] or ""
        for body, e in zip(self.query(".colbody").results(Markdown), self.entrants):
            await body.update(self.shown_text(e["text"]) if e["status"] == "ok"
                              else f"**{e['status']}** {e.get('error_kind') or ''}")
        self.show_heads()
        self.show_verdict(t["agreement"], earlier=True)
        self.set_focus(None)

    # -- keys ---------------------------------------------------------------------------------------
    def voting(self) -> bool:
        """The answers are in and the box does not have the focus: a b c t x vote."""
        return self.tournament_id is not None and self.focused is not self.query_one(Input)

    def say_keys(self) -> None:
        """The line under the columns: what the keys do now."""
        said = SAID[VOTE_KEYS[self.voted]] if self.voted else None
        if self.my_workers("tournament"):
            line = "asking three models… a/b/c/t/x vote once the answers are in"
        elif self.voting():
            reveal = " (names are revealed with your vote)" if self.hidden() else ""
            line = (f"{'your vote: ' + said + ' · ' if said else ''}a/b/c wins, t tie, x all bad{reveal}; "
                    "any other key types a new prompt")
        elif said:
            line = f"your vote: {said} · typing the next prompt (enter runs it); tab, then a/b/c/t/x, changes the vote"
        else:
            line = TYPING
        self.query_one("#keys", Static).update(line)

    def on_descendant_focus(self) -> None:
        self.say_keys()

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self.say_keys)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """The vote keys vote only while voting (they type otherwise: the box has them)."""
        if action == "vote":
            return self.voting() or None  # None: shown greyed, the key goes on to the box
        return True

    def on_key(self, event: events.Key) -> None:
        """Off the box, a printable key that is not a vote starts the next prompt with it; a vote
        key while the answers stream is a note (the question being asked stays as it is)."""
        if not (event.is_printable and event.character):
            return
        box, char = self.query_one(Input), event.character
        if self.focused is box:  # typed for the box, fast or pasted, before it had the focus
            event.prevent_default()
            event.stop()
            box.replace(char, *box.selection)  # as the box types a key: over the selection, else at the cursor
            return
        if char in VOTE_KEYS:
            if self.tournament_id is None:
                event.stop()
                self.notify("no finished tournament to vote on" + (" yet: the answers are coming"
                                                                    if self.my_workers("tournament") else ""))
            return  # else the binding votes
        event.prevent_default()
        event.stop()
        box.value, box.cursor_position = char, 1
        self.set_focus(box)  # now, not after a refresh: the keys right behind this one are the box's

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.send()

    def send(self) -> None:
        """enter in the box, or ctrl+s as on the chat: ask three models."""
        if prompt := self.query_one(Input).value.strip():
            self.set_focus(None)  # keys no longer change the question being asked
            self.run_tournament(prompt)
            self.call_after_refresh(self.say_keys)

    def action_blind(self) -> None:
        if self.tournament_id is not None and not self.voted and self.blind:
            self.notify("vote first: the names are revealed with the vote")
            return
        self.blind = not self.blind
        self.sub_title = "blind: names hidden until you vote" if self.blind else ""
        self.notify("blind mode " + ("on: the next tournament hides names and prices until the vote" if self.blind
                                     else "off"))
        self.show_heads()

    # -- showing --------------------------------------------------------------------------------------
    def hidden(self) -> bool:
        return self.blind and not self.voted

    def shown_text(self, text: str) -> str:
        from modeltui.signals.blind import mask

        return mask(text, [e["model"] for e in self.entrants]) if self.hidden() else text

    def show_heads(self) -> None:
        """Each column's head: the slot only while blind and not yet voted; else model, price, time."""
        for head, e in zip(self.query(".colhead").results(Static), self.entrants):
            kind = f" ({e['error_kind']})" if e.get("error_kind") else ""
            if self.hidden():
                head.update(f"{e['slot']} · {e['status']}{kind}")
                continue
            sim = " (simulated)" if e.get("simulated") else ""
            cost = "unpriced" if e.get("cost_usd") is None else money(e["cost_usd"])
            head.update(f"{e['slot']} · {e['model']}{sim} · {e['status']}{kind} · {cost} · {e['latency_ms']:.0f} ms")

    def show_verdict(self, a: dict | None, earlier: bool = False) -> None:
        verdict = self.query_one("#verdict", Static)
        if not a:
            verdict.update("verdict: none logged")
        else:
            judged = judge_line(a)
            verdict.update(f"verdict{' (earlier)' if earlier else ''}: {a['overall'].upper()} — {a['reason']}"
                           + (f"\n{judged}" if judged else ""))
        self.say_keys()

    @work(exclusive=True, group="tournament")
    async def run_tournament(self, prompt: str) -> None:
        from modeltui.signals import tournament
        from modeltui.signals.blind import Masker

        app = self.app
        verdict = self.query_one("#verdict", Static)
        self.voted, self.tournament_id, self.entrants = None, None, []
        self.say_keys()
        if not app.ready.is_set():
            verdict.update("waiting: models are still loading…")
            await app.ready.wait()
        heads = list(self.query(".colhead").results(Static))
        bodies = list(self.query(".colbody").results(Markdown))
        streams, maskers = [], [None, None, None]
        for head, body in zip(heads, bodies):
            await body.update("")
            head.update("…")
            streams.append(Markdown.get_stream(body))
        blind = self.blind
        models = list(app.engine.catalog.models)

        def on_text(i: int, chunk: str) -> None:
            if blind:  # names are masked before they reach the screen
                maskers[i] = maskers[i] or Masker(models)
                chunk = maskers[i].feed(chunk)
            if chunk:
                self.call_next(streams[i].write, chunk)

        verdict.update("asking three models…")
        try:
            result = await tournament.run(app.engine, prompt, on_text=on_text)
        except Exception as exc:  # noqa: BLE001 - shown in place; the app stays up
            from modeltui.providers.redact import redact

            verdict.update(f"error: {redact(exc)}")
            return
        finally:
            for i, s in enumerate(streams):
                if maskers[i] is not None and (rest := maskers[i].end()):
                    self.call_next(s.write, rest)
                await s.stop()
        s = result.summary()
        self.entrants = s["entrants"]
        for body, e in zip(bodies, self.entrants):
            if e["status"] != "ok":  # (an error text may name the model: only its kind while blind)
                detail = "" if self.blind else (e.get("error") or "")
                await body.update(f"**error**: {e.get('error_kind') or ''} {detail}".strip())
        self.tournament_id = result.id
        self.show_heads()
        self.show_verdict(s["agreement"])
        self.call_after_refresh(self.say_keys)  # (this worker is finished by then)

    async def action_vote(self, key: str) -> None:
        from modeltui.signals import feedback

        if self.tournament_id is None:
            return
        await feedback.vote(self.engine, self.tournament_id, VOTE_KEYS[key])
        again, self.voted = self.voted, key
        if self.blind and not again:  # revealed now: the names in the answers too
            for body, e in zip(self.query(".colbody").results(Markdown), self.entrants):
                if e["status"] == "ok":
                    await body.update(e["text"])
        self.show_heads()
        box = self.query_one(Input)  # next comes a prompt: typing replaces the last one
        self.set_focus(box)
        box.select_all()
        self.say_keys()
        self.notify(f"vote {'changed to' if again else 'recorded'}: {SAID[VOTE_KEYS[key]]}")

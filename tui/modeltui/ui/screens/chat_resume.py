"""Reopening a past conversation in the chat (history's "continue"): its answers redrawn from the
log, its exchanges as the context of the next prompt, its last tier (imported when first used)."""

from __future__ import annotations

from modeltui import reports
from modeltui.ui.widgets.answer import Answer
from modeltui.ui.widgets.meter import money
from modeltui.vocab.ids import new_session_id
from modeltui.vocab.tiers import TIERS
from modeltui.vocab.words import plural


async def reopen(screen, conversation: str) -> None:
    """Stop what `screen` (the chat) is streaming and continue `conversation` in it; a session's
    loose prompts continue under a new conversation id."""
    rows = await reports.conversation(screen.engine, conversation)
    if not rows:
        screen.notify("that conversation has no answered prompts to continue: the chat is left as it was",
                      severity="warning")
        return
    for w in screen.my_workers("calls"):
        w.cancel()
    chat = screen.query_one("#chat")
    await chat.remove_children()
    screen.history = []
    screen.conversation = new_session_id() if conversation.startswith("session:") else conversation
    for r in rows:
        answer = Answer(r["prompt"] or "")
        await chat.mount(answer)
        answer.context = list(screen.history)
        answer.write(r["response"] or "")
        await answer.finish()
        answer.set_meta(f"{r['model']} · {r['tier']} · {money(r['cost_usd']) if r['cost_usd'] is not None else 'unpriced'}"
                        f" · {r['latency_ms'] or 0:.0f} ms (earlier)")
        answer.enable_actions(r["id"])
        screen.history += [{"role": "user", "content": r["prompt"] or ""},
                           {"role": "assistant", "content": r["response"] or ""}]
    if rows[-1]["tier"] in TIERS:
        await screen.app.run_action(f"tier('{rows[-1]['tier']}')")
    chat.scroll_end(animate=False)
    screen.set_status(f"continuing a conversation of {plural(len(rows), 'answered prompt')}; "
                      f"{'they are' if len(rows) > 1 else 'it is'} sent as context")
    screen.query_one("#prompt").focus()

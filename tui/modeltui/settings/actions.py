"""The one table of what a person can do in the app: each action's id (for `[keymap]`), default
key, footer label, help text, palette title and where it works. The app's bindings, the command
palette, the help screen, the keymap check of the config and the README's key table are all
made from it (tests/test_actions.py compares the README). No Textual here: the config checks
keymap ids without loading the UI."""

from __future__ import annotations

from dataclasses import dataclass

from modeltui.vocab.tiers import TIERS


@dataclass(frozen=True)
class Action:
    id: str  # `[keymap]` id; unique
    key: str | None  # default key; None: only in the palette
    action: str  # what the app runs (a Textual action string, e.g. "tier('budget')")
    label: str  # the footer's word for it
    help: str  # one line: the help screen, the palette and the README say this
    palette: str | None = None  # its title in the command palette (None: not listed there)
    priority: bool = False  # fires even when the focused widget would take the key (typing)
    show: bool = False  # in the footer (only a few fit 80 columns)


ACTIONS: tuple[Action, ...] = (
    Action("help", "f1", "help", "Help", "help: every key, and where the config, the log and the data folder are",
           "Help: keys and files", priority=True, show=True),
    Action("send", "ctrl+s", "send", "Send", "send the prompt", "Send prompt", priority=True, show=True),
    Action("stop", "ctrl+g", "stop", "Stop", "stop the answer streaming (logged as cancelled with its partial cost, "
           "reservation released)", "Stop the answer", priority=True, show=True),
    Action("focus.prompt", "escape", "back", "Back", "back to the chat (in a dialog: close it); on the chat: the cursor to "
           "the prompt"),
    *(Action(f"tier.{t}", f"f{2 + i}", f"tier('{t}')", t.capitalize(), f"route the next prompts in the {t} tier "
             "(works while typing, and inside tmux)", f"Tier: {t}", priority=True) for i, t in enumerate(TIERS)),
    Action("view.chat", None, "view('chat')", "Chat", "the chat: prompts routed by tier, answers with their cost",
           "Chat"),
    Action("view.tournament", "f6", "view('tournament')", "Tournament", "tournament: three models side by side, then vote",
           "Tournament", priority=True),
    Action("view.rankings", "f7", "view('rankings')", "Rankings", "rankings per use case: Bradley-Terry ratings, savings",
           "Rankings", priority=True),
    Action("view.history", "f8", "view('history')", "History", "history: past conversations, searchable; reopen one to continue it",
           "History"),
    Action("view.runs", None, "view('runs')", "Runs", "runs: pipeline runs, A/B comparisons and benchmark matrices",
           "Runs: pipelines and suites"),
    Action("export", "f9", "export", "Export", "export this session or a date range (JSONL / CSV / Markdown, "
           "with or without texts)", "Export"),
    Action("meter.breakdown", "ctrl+o", "breakdown", "Per model", "meter: this month's spend per model, shown or hidden",
           "Meter: per-model breakdown"),
    Action("chat.new", "ctrl+n", "new_chat", "New", "new conversation (stops an answer in progress)", "New conversation",
           show=True),
    Action("quit", "ctrl+q", "quit", "Quit", "quit (calls in flight are logged as cancelled)", priority=True, show=True),
)

VIEWS = ("chat", "tournament", "rankings", "history", "runs")  # the app's modes: switched, never stacked
DIALOG_KEEPS = frozenset({"stop", "quit"})  # the only actions that act while a dialog is open

# keys a view or dialog owns (where, key, what): shown by help and the README beside the above
VIEW_KEYS: tuple[tuple[str, str, str], ...] = (
    ("chat", "enter in the prompt", "new line (ctrl+s sends)"),
    ("chat", "tab / shift+tab", "from the prompt to the newest answer's buttons, then between buttons"),
    ("tournament", "a b c", "vote for A, B or C (a new vote replaces the old)"),
    ("tournament", "t / x", "tie / all bad"),
    ("tournament", "other keys", "type the next prompt; after a vote the box takes every key (tab out to re-vote); "
     "the line under the columns says which"),
    ("tournament", "ctrl+r", "blind mode on/off (names and prices hidden until the vote)"),
    ("rankings", "s", "cycle the sort column (or click a header)"),
    ("history", "/", "search past prompts and answers"),
    ("history", "enter", "reopen a conversation and continue it (a tournament opens in its view)"),
    ("history", "n / p", "older / newer sessions"),
    ("runs", "m", "mark a pipeline run; highlight another to compare them"),
    ("any view", "escape", "back to the chat (on the chat: the cursor to the prompt)"),
    ("a dialog", "its own keys", "a dialog (help, export, system prompt, retry with, the palette) takes every key "
     "until escape closes it; only ctrl+g (stop) and ctrl+q (quit) still act"),
    ("everywhere", "ctrl+p", "command palette: every action, \"System prompt…\", your templates, themes"),
)

BINDING_IDS: tuple[str, ...] = tuple(a.id for a in ACTIONS if a.key is not None)  # what `[keymap]` may rebind


def key_rows(keymap: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(where, key, what) for every keyed action (as `keymap` rebinds it), then the views' keys."""
    keymap = keymap or {}
    return [("everywhere", keymap.get(a.id, a.key), a.help) for a in ACTIONS if a.key is not None] + list(VIEW_KEYS)


def markdown_table() -> str:
    """The README's key table."""
    lines = ["| key | where | does |", "|---|---|---|"]
    lines += [f"| `{key}` | {where} | {what} |" for where, key, what in key_rows()]
    return "\n".join(lines)

"""The ids of the app's key bindings, for `[keymap]` in the config (checked when it loads, so a
typo is a config error, not a key that silently does nothing). ui/app.py binds exactly these."""

BINDING_IDS: tuple[str, ...] = (
    "help", "send", "stop", "focus.prompt", "tier.budget", "tier.balanced", "tier.premium", "tier.auto",
    "view.tournament", "view.rankings", "view.history", "export", "meter.breakdown", "chat.new", "quit",
)

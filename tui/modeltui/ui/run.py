"""Launch the app: config errors are reported in one line before Textual starts."""

from __future__ import annotations

import sys


def run_app(config_path: str | None) -> int:
    from modeltui import config
    from modeltui.errors import ModeltuiError

    try:
        cfg = config.load(config_path)
    except ModeltuiError as exc:
        print(f"modeltui: {exc}", file=sys.stderr)
        return exc.exit_code
    from modeltui.ui.app import ModeltuiApp

    app = ModeltuiApp(cfg)
    app.run()
    if app.startup_error:
        print(f"modeltui: {app.startup_error}", file=sys.stderr)
        return 1
    return 0

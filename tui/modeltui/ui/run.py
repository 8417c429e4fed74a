"""Launch the app: config errors are reported in one line before Textual starts."""

from __future__ import annotations

import sys


def run_app(config_path: str | None) -> int:
    """TOML syntax errors stop us here; schema errors are found right after the first paint
    (pydantic loads then) and end the app with the same one-line message and exit code 2."""
    from modeltui.errors import ModeltuiError
    from modeltui.settings import config_file as raw

    try:
        _, data = raw.read(config_path)
    except ModeltuiError as exc:
        print(f"modeltui: {exc}", file=sys.stderr)
        return exc.exit_code
    from modeltui.ui.app import ModeltuiApp

    app = ModeltuiApp(config_path=config_path, raw=raw.with_state(data))
    app.run()
    if app.startup_error:
        print(f"modeltui: {app.startup_error}", file=sys.stderr)
        return app.return_code or 1
    return app.return_code or 0

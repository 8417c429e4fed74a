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
    code = app.return_code or 0
    if app.startup_error:
        print(f"modeltui: {app.startup_error}", file=sys.stderr)
        code = app.return_code or 1
    # app.run() returns after on_unmount awaited engine.close(): every row is committed and the
    # log is closed. What is left is the interpreter tearing down litellm's objects (~0.65 s of
    # a 1.1-1.6 s quit), which writes nothing of ours: leave without it.
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

"""Command line entry: runs the command the parser (cli/parser.py, standard library only, so that
`--help` and `--version` stay fast) chose; each command imports what it needs only once chosen,
and every way it can fail ends in one line and an exit code."""

from __future__ import annotations

import argparse
import sys

from modeltui.cli.parser import build


def _not_utf8(args: argparse.Namespace) -> str | None:
    """The first argument that is not valid UTF-8, said in one line."""
    from modeltui.errors import not_utf8

    for name, value in vars(args).items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and (why := not_utf8(text)) is not None:
                return f"{name.replace('_', '-')}: {why}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = build().parse_args(argv)
    code = _main(args)
    if argv is None and args.command is not None:  # a real process, not a test calling main([...])
        _leave(code)
    return code


def _leave(code: int) -> None:
    """Exit without the interpreter's teardown. litellm's import leaves ~1 s of work at exit
    (its modules, clients and threads torn down one by one) that does nothing for us: by now
    the command's `async with Engine.open(...)` has closed the log (every row committed, the
    aiosqlite thread joined) and asyncio.run has shut its executor down; what is left to do is
    flush stdout and stderr, which we do here. No modeltui code registers atexit work."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach its reader
            pass
    os._exit(code)


def _fast(args: argparse.Namespace) -> int | None:
    """`ask` and `tournament`: every argument checked before anything heavy loads; both go
    through a running `modeltui serve` for the same log when there is one (no litellm import).
    None: run the command in-process."""
    from modeltui.cli import precheck
    from modeltui.errors import ModeltuiError

    try:
        raw = precheck.check(args)
        from modeltui.cli import remote

        if (server := remote.find(raw)) is None:
            return None
        if args.command == "tournament":
            return remote.tournament(args, raw, server)
        if args.prompt == "-":
            args.prompt = precheck.read_stdin("the prompt")
        return remote.ask(args, raw, server, args.prompt)
    except ModeltuiError as exc:
        print(f"modeltui: {exc}", file=sys.stderr)
        return exc.exit_code


def _main(args: argparse.Namespace) -> int:
    if (bad := _not_utf8(args)) is not None:
        print(f"modeltui: {bad}", file=sys.stderr)
        return 2
    if args.command in ("ask", "tournament") and (code := _fast(args)) is not None:
        return code
    if args.command is None:
        from modeltui.ui.run import run_app

        return run_app(args.config)
    import asyncio

    from modeltui.cli import commands
    from modeltui.cli import flows as flow_commands
    from modeltui.cli import learn as learn_commands
    from modeltui.errors import ModeltuiError
    from modeltui.providers.redact import redact
    from modeltui.store import DatabaseError

    name = "cmd_" + args.command
    from modeltui.cli import serving as serve_commands
    from modeltui.cli import team as team_commands

    handler = (getattr(commands, name, None) or getattr(learn_commands, name, None)
               or getattr(serve_commands, name, None) or getattr(team_commands, name, None)
               or getattr(flow_commands, name))
    try:
        return asyncio.run(_stoppable(handler(args)))
    except _Stopped as stop:
        print(f"modeltui: stopped by {stop.name}; a call in flight was logged as cancelled", file=sys.stderr)
        return 128 + stop.signum
    except ModeltuiError as exc:
        print(f"modeltui: {redact(exc)}", file=sys.stderr)
        return exc.exit_code
    except DatabaseError as exc:  # a damaged or foreign database file
        print(f"modeltui: log database error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # SIGINT: asyncio cancelled the command, which logged what was in flight
        print("modeltui: interrupted; a call in flight was logged as cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `modeltui budget | head -1`: the reader went away
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        print("modeltui: output closed early (broken pipe)", file=sys.stderr)
        return 1


class _Stopped(Exception):
    def __init__(self, signum: int):
        import signal

        self.signum, self.name = signum, signal.Signals(signum).name


async def _stoppable(coro):
    """Run a command so that SIGTERM, SIGHUP and SIGINT cancel it alike: the call in flight is
    logged as cancelled (partial text, estimated cost) and its reservation released, then we exit."""
    import asyncio
    import signal

    loop, task, got = asyncio.get_running_loop(), asyncio.current_task(), []

    def stop(signum: int) -> None:
        got.append(signum)
        task.cancel()

    # SIGINT too: a shell starts background jobs with it ignored, and Python then leaves it so;
    # a Ctrl+C or `kill -INT` must stop a command the same way wherever it was started
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        loop.add_signal_handler(sig, stop, sig)
    try:
        return await coro
    except asyncio.CancelledError:
        if got:
            raise _Stopped(got[0]) from None
        raise

"""The command line: argparse entry (nothing heavy before it knows the command) and the commands."""

from modeltui.cli.main import main

__all__ = ["main"]

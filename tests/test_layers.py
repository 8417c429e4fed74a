"""House rules (docs/architecture.md "Contracts"): the import-linter contracts in pyproject.toml
hold, every package is a layer of them, and core modules load neither Textual nor litellm."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import modeltui

ROOT = Path(__file__).resolve().parents[1]
CORE = ["modeltui.settings.config", "modeltui.providers.catalog", "modeltui.routing", "modeltui.store", "modeltui.calls.engine",
        "modeltui.cli.commands", "modeltui.providers.prices", "modeltui.providers.redact", "modeltui.providers.gateway", "modeltui.cli",
        "modeltui.reports", "modeltui.signals.feedback", "modeltui.learning.relearn", "modeltui.signals.tournament"]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_every_package_is_a_layer_and_only_the_entry_points_sit_at_the_top():
    """A new package must be placed in the layers contract; modules live in packages named for
    what they hold (only __init__, __main__ and errors at the top)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    named = {m.strip() for layer in layers for m in layer.split("|")}
    pkg = Path(modeltui.__file__).parent
    packages = {f"modeltui.{p.name}" for p in pkg.iterdir() if (p / "__init__.py").exists()}
    assert packages - named == set()
    assert sorted(p.name for p in pkg.glob("*.py")) == ["__init__.py", "__main__.py", "errors.py"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_neither_textual_nor_litellm(module):
    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'textual', 'litellm'}}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_what_the_first_paint_imports_leaves_the_engine_for_later():
    """The app and its chat screen paint before the engine loads (ui/app.py opens it after the
    first refresh): importing them must not pull in pydantic, the log or litellm. A module-level
    import of calls/ in the chat once tripled the time to first paint (0.18 s -> 0.54 s)."""
    code = ("import sys, modeltui.ui.app, modeltui.ui.screens.chat, modeltui.ui.run; "
            "assert not any(m in sys.modules for m in ('modeltui.ui.screens.tournament', 'modeltui.ui.screens.runs')); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'litellm', 'aiosqlite', 'numpy'}), "
            "sorted(m for m in sys.modules if m.startswith(('modeltui.calls', 'modeltui.providers', 'modeltui.store'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] []"

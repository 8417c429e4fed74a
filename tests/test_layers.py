"""House rules (DESIGN.md "Layout"): the import-linter contracts in pyproject.toml hold, every
top-level module is named in them, and core modules load neither Textual nor litellm."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import modeltui

ROOT = Path(__file__).resolve().parents[1]
CORE = ["modeltui.config", "modeltui.catalog", "modeltui.routing", "modeltui.store", "modeltui.engine",
        "modeltui.commands", "modeltui.prices", "modeltui.redact", "modeltui.gateway", "modeltui.cli",
        "modeltui.reports", "modeltui.feedback", "modeltui.upkeep", "modeltui.tournament"]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_every_top_level_module_is_under_a_contract():
    """A new module must be placed in the layering (added to the textual contract's list)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    named = set(next(c for c in contracts if c["forbidden_modules"] == ["textual"])["source_modules"])
    pkg = Path(modeltui.__file__).parent
    modules = {f"modeltui.{p.stem}" for p in pkg.glob("*.py") if p.stem != "__init__"}
    modules |= {f"modeltui.{p.name}" for p in pkg.iterdir() if (p / "__init__.py").exists() and p.name != "ui"}
    assert modules - named == set()


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_neither_textual_nor_litellm(module):
    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'textual', 'litellm'}}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

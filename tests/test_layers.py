"""House rule: core never imports Textual; only the gateway (and demo) import litellm."""

import subprocess
import sys

import pytest

CORE = ["modeltui.config", "modeltui.catalog", "modeltui.routing", "modeltui.store", "modeltui.engine",
        "modeltui.commands", "modeltui.prices", "modeltui.redact", "modeltui.gateway", "modeltui.cli"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_neither_textual_nor_litellm(module):
    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'textual', 'litellm'}}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

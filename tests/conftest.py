import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from servers import ollama_server, openai_server  # noqa: E402

CANARY = "sk-canary-7f3a9d2e41b8c6a0DEADBEEF"
KEY_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GROQ_API_KEY", "DEEPSEEK_API_KEY",
            "MISTRAL_API_KEY", "OPENROUTER_API_KEY", "XAI_API_KEY")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Every test gets its own data dir and config path, no real keys, no Ollama probe."""
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MODELTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MODELTUI_CONFIG", str(tmp_path / "config.toml"))
    # (MODELTUI_CONFIG naming a missing file is an error.) Shadow checks are random extra calls:
    # off unless a test turns them on (tests/test_shadow.py), so call counts stay exact.
    (tmp_path / "config.toml").write_text("[learning.shadow]\nrate = 0.0\n")
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    return tmp_path


@pytest.fixture(scope="session")
def oai():
    srv = openai_server()
    yield srv
    srv.stop()


@pytest.fixture
def server(oai):
    oai.reset()
    return oai


@pytest.fixture(scope="session")
def ollama():
    srv = ollama_server()
    yield srv
    srv.stop()

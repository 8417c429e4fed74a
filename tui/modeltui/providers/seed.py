"""The catalog's seed: the built-in and demo models' ids and figures, as plain tables (standard
library only), so the CLI can check a model id in milliseconds, before pydantic or litellm load.
`catalog.py` builds ModelInfo from them; `known_ids` is the same list of ids the catalog will have."""

from __future__ import annotations

# id, quality, strengths, speed, fallback context window (used when litellm's map has none)
BUILTIN: list[tuple[str, float, tuple[str, ...], str, int]] = [
    ("gpt-5", 8.7, ("code", "math", "analysis"), "slow", 272_000),
    ("gpt-5-mini", 7.0, ("code", "math"), "medium", 272_000),  # ~
    ("gpt-5-nano", 5.5, ("summarize",), "fast", 272_000),  # ~
    ("gpt-4.1", 7.3, ("code", "writing"), "medium", 1_047_576),
    ("gpt-4.1-mini", 6.3, ("code", "summarize"), "fast", 1_047_576),  # ~
    ("gpt-4.1-nano", 4.6, ("summarize", "translate"), "fast", 1_047_576),  # ~
    ("gpt-4o-mini", 4.9, ("summarize", "translate"), "fast", 128_000),
    ("o4-mini", 7.0, ("math", "code"), "medium", 200_000),  # ~
    ("claude-opus-4-5", 8.9, ("code", "writing", "analysis"), "slow", 200_000),  # ~
    ("claude-sonnet-4-5", 8.5, ("code", "writing"), "medium", 200_000),  # ~
    ("claude-haiku-4-5", 7.0, ("code", "summarize"), "fast", 200_000),  # ~
    ("gemini/gemini-2.5-pro", 8.8, ("math", "analysis"), "medium", 1_048_576),
    ("gemini/gemini-2.5-flash", 7.4, ("summarize", "math"), "fast", 1_048_576),
    ("gemini/gemini-2.5-flash-lite", 6.0, ("summarize", "translate"), "fast", 1_048_576),  # ~
    ("deepseek/deepseek-chat", 7.6, ("code", "math"), "medium", 131_072),
    ("deepseek/deepseek-reasoner", 7.8, ("math", "analysis"), "slow", 131_072),
    ("groq/openai/gpt-oss-120b", 6.2, ("code", "math"), "fast", 131_072),  # ~
    ("groq/openai/gpt-oss-20b", 5.0, ("summarize",), "fast", 131_072),  # ~
    ("mistral/mistral-large-latest", 6.8, ("writing", "translate"), "medium", 131_072),  # ~
    ("mistral/mistral-small-latest", 5.4, ("translate",), "fast", 32_000),  # ~
    ("openrouter/meta-llama/llama-3.3-70b-instruct", 5.6, ("writing",), "medium", 131_072),  # ~
    ("xai/grok-4", 8.3, ("math", "analysis"), "slow", 256_000),  # ~
    ("ollama/llama3.2", 3.2, ("summarize",), "fast", 128_000),  # ~
    ("ollama/llama3.1", 4.0, ("writing",), "medium", 128_000),  # ~
    ("ollama/qwen2.5-coder", 4.2, ("code",), "medium", 32_768),  # ~
    ("ollama/mistral", 3.0, ("writing",), "fast", 32_768),  # ~
]

# Simulated models (demo.py serves them): cheap-and-weak to dear-and-strong, clearly labelled.
DEMO_MODELS: list[tuple[str, float, tuple[str, ...], str, int, float, float]] = [
    ("demo/small", 3.5, ("summarize",), "fast", 16_000, 0.10, 0.40),
    ("demo/medium", 6.5, ("code", "writing"), "medium", 64_000, 1.00, 4.00),
    ("demo/large", 8.8, ("math", "analysis", "code"), "slow", 200_000, 5.00, 20.00),
]


def known_ids(raw_config: dict | None) -> list[str]:
    """The ids `catalog.build` will hold for this config (as plain TOML), before a local Ollama
    adds the models it serves (`ollama/...`). Config models with `enabled = false` are out."""
    cfg = raw_config or {}
    builtin = cfg.get("builtin_models", True) is not False
    ids = [m[0] for m in BUILTIN] if builtin else []
    ids += [m[0] for m in DEMO_MODELS]
    models = cfg.get("models") if isinstance(cfg.get("models"), dict) else {}
    for mid, override in models.items():
        if isinstance(override, dict) and override.get("enabled") is False:
            ids = [i for i in ids if i != mid]
        elif mid not in ids:
            ids.append(mid)
    return ids

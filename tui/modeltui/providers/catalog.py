"""The model catalog: what each model is good at, how fast, how big, what it costs, and
whether it can be called right now (and why not).

Quality 0-10 is seeded from the LMArena text leaderboard: quality ≈ (arena score − 1150) / 35,
using the snapshot of 21 Aug 2025 (gemini-2.5-pro 1457, gpt-5-high 1455, claude-opus-4.1 1439, …).
Models absent from that snapshot are placed by family and release (marked "~" in SEED_NOTE).
The log refines these numbers later; config overrides win over both.
Prices and windows come from litellm's map (`prices.py`); an unknown price stays None, never 0.
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass, field, replace

from modeltui.errors import UnknownModel
from modeltui.providers.prices import price_map
from modeltui.providers.seed import BUILTIN as _BUILTIN
from modeltui.providers.seed import DEMO_MODELS
from modeltui.settings.config import Config, ModelOverride

SEED_NOTE = "quality seeded from LMArena text leaderboard, snapshot 2025-08-21; ~ = placed by family"

PROVIDER_ENV = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "groq": "GROQ_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "xai": "XAI_API_KEY",
    "ollama": None,
    "demo": None,
}

@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    provider: str
    quality: float
    strengths: tuple[str, ...] = ()
    speed: str = "medium"
    context_window: int = 8_192
    max_output: int = 4_096
    input_per_mtok: float | None = None  # USD per 1M input tokens; None = unknown
    output_per_mtok: float | None = None
    cache_read_per_mtok: float | None = None  # a cached prompt token read; None: at the input price
    cache_write_per_mtok: float | None = None  # a prompt token written to the cache; None: at the input price
    local: bool = False  # runs on this machine: free
    env_var: str | None = None
    api_base: str | None = None
    simulated: bool = False
    available: bool = False
    why: str = ""  # why (un)available, shown by `modeltui models`
    # derived once (routing reads them for every model on every prompt)
    free: bool = field(init=False, repr=False, compare=False)
    price_known: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        free = self.local or (self.input_per_mtok == 0 and self.output_per_mtok == 0)
        object.__setattr__(self, "free", free)
        object.__setattr__(self, "price_known",
                           free or (self.input_per_mtok is not None and self.output_per_mtok is not None))

    def worst_case(self, tokens_in: int, max_tokens: int) -> float | None:
        """What a call may cost at most: the budget reserves this before sending."""
        return self.cost(tokens_in, min(max_tokens, self.max_output))

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        """Cost in USD at catalog prices; None when the price is unknown."""
        if self.free:
            return 0.0
        if not self.price_known:
            return None
        return (tokens_in * self.input_per_mtok + tokens_out * self.output_per_mtok) / 1e6


def provider_of(model_id: str) -> str:
    if "/" in model_id:
        return model_id.split("/", 1)[0]
    if model_id.startswith("claude"):
        return "anthropic"
    if model_id.startswith(("gpt-", "o1", "o3", "o4", "chatgpt")):
        return "openai"
    return "openai"


def _from_price_map(model_id: str) -> dict:
    entry = price_map().get(model_id) or price_map().get(model_id.split("/", 1)[-1]) or {}
    out: dict = {}
    if entry.get("input_cost_per_token") is not None and entry.get("output_cost_per_token") is not None:
        out["input_per_mtok"] = round(entry["input_cost_per_token"] * 1e6, 6)
        out["output_per_mtok"] = round(entry["output_cost_per_token"] * 1e6, 6)
        for key, ours in (("cache_read_input_token_cost", "cache_read_per_mtok"),
                          ("cache_creation_input_token_cost", "cache_write_per_mtok")):
            if isinstance(entry.get(key), (int, float)):
                out[ours] = round(entry[key] * 1e6, 6)
    if entry.get("max_input_tokens"):
        out["context_window"] = int(entry["max_input_tokens"])
    if entry.get("max_output_tokens"):
        out["max_output"] = int(entry["max_output_tokens"])
    return out


def _apply(info: ModelInfo, o: ModelOverride) -> ModelInfo:
    changes = {k: v for k, v in {
        "provider": o.provider, "quality": o.quality, "speed": o.speed,
        "context_window": o.context_window, "max_output": o.max_output,
        "input_per_mtok": o.input_per_mtok, "output_per_mtok": o.output_per_mtok,
        "cache_read_per_mtok": o.cache_read_per_mtok, "cache_write_per_mtok": o.cache_write_per_mtok,
        "local": o.local, "env_var": o.env_var, "api_base": o.api_base,
    }.items() if v is not None}
    if o.strengths is not None:
        changes["strengths"] = tuple(o.strengths)
    if o.free:
        changes.update(input_per_mtok=0.0, output_per_mtok=0.0)
    return replace(info, **changes)


def builtin_models() -> list[ModelInfo]:
    models = []
    for mid, quality, strengths, speed, window in _BUILTIN:
        provider = provider_of(mid)
        base = ModelInfo(id=mid, provider=provider, quality=quality, strengths=strengths, speed=speed,
                         context_window=window, local=provider == "ollama")
        models.append(replace(base, **_from_price_map(mid)))
    for mid, quality, strengths, speed, window, pin, pout in DEMO_MODELS:
        models.append(ModelInfo(id=mid, provider="demo", quality=quality, strengths=strengths, speed=speed,
                                context_window=window, max_output=4_096, input_per_mtok=pin,
                                output_per_mtok=pout, simulated=True))
    return models


def probe_ollama(url: str, timeout: float = 0.3) -> list[str] | None:
    """Names of the models a local Ollama serves (`/api/tags`), or None if none answers."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/api/tags", timeout=timeout) as resp:
            data = json.loads(resp.read())
        return [m["name"].removesuffix(":latest") for m in data.get("models", [])]
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Catalog:
    """Models by id, with availability resolved against the environment and local servers."""

    def __init__(self, models: list[ModelInfo]):
        self.models = {m.id: m for m in models}

    def __getitem__(self, model_id: str) -> ModelInfo:
        return self.models[model_id]

    def __contains__(self, model_id: str) -> bool:
        return model_id in self.models

    def all(self) -> list[ModelInfo]:
        return list(self.models.values())

    def available(self) -> list[ModelInfo]:
        return [m for m in self.models.values() if m.available]

    def require(self, model_id: str, where: str = "") -> None:
        """A usage error naming the closest ids when `model_id` is not in the catalog."""
        if model_id not in self.models:
            near = self.closest(model_id)
            raise UnknownModel(f"{where + ': ' if where else ''}unknown model '{model_id}'"
                               + (f"; closest: {', '.join(near)}" if near else ""))

    def closest(self, model_id: str, n: int = 3) -> list[str]:
        import difflib

        return difflib.get_close_matches(model_id, list(self.models), n=n, cutoff=0.4)

    def mark_unavailable(self, model_ids: list[str] | set[str], why: str) -> None:
        for mid in model_ids:
            self.models[mid] = replace(self.models[mid], available=False, why=why)


def build(cfg: Config, env: dict[str, str] | None = None, ollama_tags: list[str] | None | bool = True) -> Catalog:
    """Built-ins + config overrides, then availability. `ollama_tags=True` probes cfg.ollama_url."""
    env = os.environ if env is None else env
    models = {m.id: m for m in builtin_models() if cfg.builtin_models or m.simulated}
    for mid, override in cfg.models.items():
        if not override.enabled:
            models.pop(mid, None)
            continue
        base = models.get(mid)
        if base is None:
            provider = override.provider or provider_of(mid)
            base = ModelInfo(id=mid, provider=provider, quality=5.0, local=provider == "ollama",
                             **_from_price_map(mid))
        models[mid] = _apply(base, override)

    ollama_base = (cfg.providers.get("ollama") and cfg.providers["ollama"].api_base) or cfg.ollama_url
    if ollama_tags is True:
        ollama_tags = probe_ollama(ollama_base)
    tags = set(ollama_tags or [])
    for tag in tags:  # models pulled into Ollama but not in the catalog join as unknown-quality locals
        mid = f"ollama/{tag}"
        if mid not in models:
            models[mid] = ModelInfo(id=mid, provider="ollama", quality=3.0, local=True, context_window=8_192)

    from modeltui.providers import redact

    redact.watch([*PROVIDER_ENV.values(), *(p.env_var for p in cfg.providers.values()),
                  *(o.env_var for o in cfg.models.values())])  # their values never leave the gateway
    redact.watch_urls([cfg.ollama_url, *(p.api_base for p in cfg.providers.values()),
                       *(o.api_base for o in cfg.models.values())])  # nor do credentials inside their URLs
    resolved: list[ModelInfo] = []
    for m in models.values():
        prov = cfg.providers.get(m.provider)
        # a model's own env_var (from config) > its provider's (from config) > the known default
        env_var = m.env_var or (prov.env_var if prov else None) or PROVIDER_ENV.get(m.provider)
        api_base = m.api_base or (prov.api_base if prov else None) or (ollama_base if m.provider == "ollama" else None)
        if m.provider == "ollama":
            name = m.id.split("/", 1)[1]
            ok = name in tags
            why = "served by local Ollama" if ok else ("not pulled in Ollama" if ollama_tags else "no Ollama at " + cfg.ollama_url)
        elif m.simulated or m.local:
            ok, why = True, "simulated demo model" if m.simulated else "local model"
        elif env_var and env.get(env_var):
            ok, why = True, f"{env_var} is set"
        elif env_var:
            ok, why = False, f"{env_var} not set"
        else:
            ok, why = False, "no key variable known for provider " + m.provider
        resolved.append(replace(m, env_var=env_var, api_base=api_base, available=ok, why=why))

    real = [m for m in resolved if m.available and not m.simulated]
    demo_on = cfg.demo.mode == "always" or (cfg.demo.mode == "auto" and not real)
    final = []
    for m in resolved:
        if m.simulated and not demo_on:
            why = "demo models off (config demo.mode)" if cfg.demo.mode == "never" else "real models available"
            m = replace(m, available=False, why=why)
        final.append(m)
    return Catalog(final)

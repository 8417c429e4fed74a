"""Settings from TOML, validated by pydantic. The user's file is only ever read: what the app
changes (tier, theme) goes to a state file beside the log (`state.py`) and is laid over it.

Every model forbids unknown keys so that a typo is reported instead of silently ignored.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modeltui.errors import ConfigError
from modeltui.settings import config_file as raw
from modeltui.settings import paths
from modeltui.vocab.tiers import TIERS, Tier


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TierPolicy(_Strict):
    min_quality: float = Field(ge=0, le=10)
    quality_tolerance: float = Field(default=1.0, ge=0, le=10)


def _default_tiers() -> dict[str, TierPolicy]:
    return {
        Tier.BUDGET: TierPolicy(min_quality=3.0, quality_tolerance=3.0),
        Tier.BALANCED: TierPolicy(min_quality=6.0, quality_tolerance=1.5),
        Tier.PREMIUM: TierPolicy(min_quality=8.0, quality_tolerance=0.0),
        Tier.AUTO: TierPolicy(min_quality=3.0, quality_tolerance=1.0),
    }


class Budget(_Strict):
    monthly_usd: float | None = Field(default=None, ge=0)
    daily_usd: float | None = Field(default=None, ge=0)
    session_usd: float | None = Field(default=None, ge=0)
    month_boundary: Literal["utc", "local"] = "utc"
    lease_s: float = Field(default=60.0, ge=1, le=3600,
                           description="a call's reservation lasts this long unless its process renews it "
                                       "(every third of it); after that it is charged as lost")


class ModelOverride(_Strict):
    """Adds a model to the catalog or overrides fields of a built-in one."""

    provider: str | None = None
    quality: float | None = Field(default=None, ge=0, le=10)
    strengths: list[str] | None = None
    speed: Literal["fast", "medium", "slow"] | None = None
    context_window: int | None = Field(default=None, gt=0)
    max_output: int | None = Field(default=None, gt=0)
    input_per_mtok: float | None = Field(default=None, ge=0)
    output_per_mtok: float | None = Field(default=None, ge=0)
    cache_read_per_mtok: float | None = Field(default=None, ge=0)  # default: litellm's map, else the input price
    cache_write_per_mtok: float | None = Field(default=None, ge=0)
    free: bool | None = None
    local: bool | None = None
    api_base: str | None = None
    env_var: str | None = None
    enabled: bool = True


class Provider(_Strict):
    api_base: str | None = None
    env_var: str | None = None


class UseCaseRule(_Strict):
    keywords: list[str] = Field(default_factory=list)


def _default_use_cases() -> dict[str, UseCaseRule]:
    return {
        "code": UseCaseRule(keywords=["code", "function", "bug", "python", "javascript", "compile", "stack trace", "refactor", "```", "sql", "regex"]),
        "math": UseCaseRule(keywords=["calculate", "solve", "equation", "integral", "derivative", "probability", "how many", "sum of", "prove"]),
        "writing": UseCaseRule(keywords=["write", "essay", "email", "poem", "story", "rewrite", "blog", "letter"]),
        "summarize": UseCaseRule(keywords=["summarize", "summarise", "summary", "tl;dr", "key points"]),
        "translate": UseCaseRule(keywords=["translate", "translation", "in french", "in spanish", "in german"]),
        "analysis": UseCaseRule(keywords=["analyze", "analyse", "compare", "pros and cons", "evaluate", "trade-off"]),
    }


class Gateway(_Strict):
    connect_timeout_s: float = Field(default=10.0, gt=0)
    stall_timeout_s: float = Field(default=30.0, gt=0)
    total_timeout_s: float = Field(default=300.0, gt=0)
    max_tokens: int = Field(default=1024, gt=0)
    max_retry_after_s: float = Field(default=20.0, ge=0)


class Routing(_Strict):
    prefer_local: bool = True
    cooldown_failures: int = Field(default=3, ge=1)
    cooldown_s: float = Field(default=120.0, ge=0)


class Demo(_Strict):
    mode: Literal["auto", "always", "never"] = "auto"
    speed: float = Field(default=1.0, gt=0, description="multiplier on simulated speed; tests use large values")


class Weights(_Strict):
    success: float = Field(default=0.4, ge=0)
    speed: float = Field(default=0.3, ge=0)
    cost: float = Field(default=0.2, ge=0)
    satisfaction: float = Field(default=0.1, ge=0)


class ImplicitEvidence(_Strict):
    """How much what users do, unasked, says about an answer (successes / failures)."""

    rephrased: float = Field(default=0.5, ge=0, le=1, description="a follow-up that re-asks the same thing")
    continued: float = Field(default=0.2, ge=0, le=1, description="a follow-up on something else")
    copied: float = Field(default=0.3, ge=0, le=1, description="the answer was copied")
    rephrase_similarity: float = Field(default=0.8, ge=0, le=1, description="prompt embeddings this close = rephrased")
    window_s: float = Field(default=900.0, gt=0, description="a follow-up later than this says nothing")


class ShadowChecks(_Strict):
    """Ask the strongest candidate too, now and then, and learn from whether it agrees."""

    rate: float = Field(default=0.05, ge=0, le=1, description="share of eligible answers checked")
    max_share: float = Field(default=0.03, ge=0, le=1, description="most of the month's spend shadow calls may take")
    weight: float = Field(default=1.0, ge=0, le=1, description="evidence weight of one verdict")
    select: Literal["random", "value"] = Field(default="random", description="which answers: random, or where a check informs most")


class Learning(_Strict):
    half_life_days: float = Field(default=30.0, gt=0, description="an observation's weight halves after this long")
    weights: Weights = Field(default_factory=Weights)
    min_cluster_similarity: float = Field(default=0.15, ge=0, le=1, description="TF-IDF cosine to join a discovered use case")
    min_vector_similarity: float = Field(default=0.15, ge=-1, le=1, description="embedding cosine to join a discovered use case")
    prompt_model: bool = Field(default=True, description="auto tier: learn per prompt from its embedding")
    prompt_weight: Literal["shift", "full", "earned"] = Field(
        default="shift", description="auto tier: the use case's Thompson sample moved by the per-prompt part's "
                                     "learnt estimate (shift; before any per-prompt evidence, the per-use-case "
                                     "router), the per-prompt part's own samples always (full), or as often as "
                                     "it has predicted better on the use case (earned)")
    exploration: float = Field(default=0.25, ge=0, le=2,
                               description="prompt_weight full and earned: the per-prompt samples' spread, in posterior SDs")
    evidence: ImplicitEvidence = Field(default_factory=ImplicitEvidence)
    shadow: ShadowChecks = Field(default_factory=ShadowChecks)


class Flows(_Strict):
    """Pipelines and benchmark suites (`modeltui run`, `modeltui bench`)."""

    concurrency: int = Field(default=8, ge=1, le=64, description="calls a benchmark runs at once")
    check_weight: float = Field(default=0.5, ge=0, le=1, description="evidence weight of a pipeline step's check")
    bench_weight: float = Field(default=1.0, ge=0, le=1, description="evidence weight of a scored suite answer")


class TournamentSettings(_Strict):
    blind: bool = Field(default=False, description="hide model names and prices until the vote (ctrl+r toggles)")
    judge: str | None = Field(default=None, description="model asked which answer is best when the answers disagree")
    judge_weight: float = Field(default=0.5, ge=0, le=1, description="a judge's verdict as evidence (a vote weighs 1)")


class Template(_Strict):
    """A named prompt template: a system prompt for the conversation and/or text for the prompt box."""

    system: str | None = None
    prompt: str | None = None


class Serve(_Strict):
    """`modeltui serve`: the OpenAI-compatible local gateway other tools call."""

    host: str = Field(default="127.0.0.1", description="loopback by default; any other host needs token_env")
    port: int = Field(default=8765, ge=0, le=65535, description="0: any free port")
    token_env: str | None = Field(default=None, description="name of the env var holding the bearer token clients send")
    max_body_bytes: int = Field(default=1_048_576, gt=0, description="larger request bodies are refused (413)")
    in_app: bool = Field(default=False, description="the app hosts the server while it runs")


class Storage(_Strict):
    path: str | None = None


class Team(_Strict):
    """Team mode: the ledger and shared evidence in PostgreSQL (the caps live there, not here)."""

    database: str | None = Field(default=None, description="postgresql://member@host/db (or MODELTUI_TEAM_DATABASE); "
                                                            "a password is better in ~/.pgpass or PGPASSWORD")
    member: str | None = Field(default=None, description="your member name = your PostgreSQL role (default: login name)")
    share_text: bool = Field(default=False, description="send prompts and answers to the team database too")
    retry_s: float = Field(default=5.0, gt=0, description="the app, while the team database is unreachable: "
                                                          "seconds between tries to reach it again")

    def url(self) -> str | None:
        return self.database or os.environ.get("MODELTUI_TEAM_DATABASE") or None

    def member_name(self) -> str:
        import getpass

        return self.member or getpass.getuser()


class Config(_Strict):
    default_tier: Tier = Tier.BALANCED
    theme: str = "modeltui-dark"
    ollama_url: str = "http://127.0.0.1:11434"
    builtin_models: bool = True  # false: only the models listed under [models]
    tiers: dict[str, TierPolicy] = Field(default_factory=_default_tiers)
    budget: Budget = Field(default_factory=Budget)
    routing: Routing = Field(default_factory=Routing)
    gateway: Gateway = Field(default_factory=Gateway)
    demo: Demo = Field(default_factory=Demo)
    storage: Storage = Field(default_factory=Storage)
    learning: Learning = Field(default_factory=Learning)
    models: dict[str, ModelOverride] = Field(default_factory=dict)
    providers: dict[str, Provider] = Field(default_factory=dict)
    use_cases: dict[str, UseCaseRule] = Field(default_factory=_default_use_cases)
    keymap: dict[str, str] = Field(default_factory=dict)
    tournament: TournamentSettings = Field(default_factory=TournamentSettings)
    templates: dict[str, Template] = Field(default_factory=dict)
    flows: Flows = Field(default_factory=Flows)
    serve: Serve = Field(default_factory=Serve)
    team: Team = Field(default_factory=Team)

    # Where this config came from; not part of the file.
    _path: Path | None = None

    def policy(self, tier: str) -> TierPolicy:
        return self.tiers.get(tier) or _default_tiers()[tier]

    def db_path(self) -> Path:
        return Path(self.storage.path).expanduser() if self.storage.path else paths.default_db()


def _describe(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown key '{loc}'"
    return f"key '{loc}': {err['msg']} (got {err.get('input')!r})"


def load(path: str | os.PathLike | None = None) -> Config:
    """Read the config file (missing file = defaults). Raise ConfigError with one clear line."""
    file, data = raw.read(path)
    if data is None:
        cfg = Config()
        cfg._path = file
        return _with_state(cfg)
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"{file}: {_describe(errors[0])}{more}") from None
    for tier in cfg.tiers:
        if tier not in TIERS:
            raise ConfigError(f"{file}: unknown key 'tiers.{tier}' (tiers are {', '.join(TIERS)})")
    from modeltui.settings.actions import BINDING_IDS

    for binding in cfg.keymap:
        if binding not in BINDING_IDS:
            raise ConfigError(f"{file}: unknown binding id 'keymap.{binding}' (ids are {', '.join(BINDING_IDS)})")
    cfg._path = file
    return _with_state(cfg)


def _with_state(cfg: Config) -> Config:
    """Lay the app's remembered theme (state.toml beside the log) over the file's settings. Not
    its tier: `default_tier` is the CLI's default, and the app keeps its own (`app_tier`)."""
    from modeltui.settings import state_file as state

    remembered = state.read(cfg.db_path())
    if isinstance(remembered.get("theme"), str):
        cfg.theme = remembered["theme"]
    return cfg

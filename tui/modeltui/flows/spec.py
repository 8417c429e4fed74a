"""Pipelines and benchmark suites as TOML files, validated once when loaded.

A pipeline is an ordered list of steps (`[[steps]]`); each asks one model with an instruction
template that may use `{input}`, `{last}` (the previous step's output) and `{steps.NAME}`. Only
those placeholders are replaced, so JSON in an instruction needs no escaping. A suite is a list
of prompts (`[[prompts]]`), each with a use case and a check.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from modeltui.errors import UsageError
from modeltui.settings import paths
from modeltui.vocab.tiers import Tier

PLACEHOLDER = re.compile(r"\{(input|last|steps\.([A-Za-z0-9_-]+))\}")
END = "end"


class Check(BaseModel):
    """What an output must satisfy; every kind given must pass."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    contains: str | None = None  # this text, any case
    regex: str | None = None  # re.search, case-insensitive
    number: float | None = None  # the last number in the output equals this
    tolerance: float = Field(default=1e-6, ge=0)
    exact: str | None = None  # the whole output, ignoring case, spaces and a final full stop
    choice: str | None = Field(default=None, pattern=r"^[A-Ja-j]$")  # the answer letter
    is_json: bool = Field(default=False, alias="json")  # the output is (or holds) valid JSON
    json_keys: list[str] = []  # ... a JSON object with these keys
    judge: str | None = None  # a model asked whether the output meets the rubric
    rubric: str | None = None

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"regex does not compile: {exc}") from None
        return v

    @model_validator(mode="after")
    def _something(self) -> Check:
        if self.judge and not self.rubric:
            raise ValueError("a judge needs a rubric")
        if self.rubric and not self.judge:
            raise ValueError("a rubric needs a judge model")
        if not (self.contains or self.regex or self.number is not None or self.exact is not None or self.choice
                or self.is_json or self.json_keys or self.judge):
            raise ValueError("a check needs at least one of contains, regex, number, exact, choice, json, json_keys, judge")
        return self


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    prompt: str = Field(min_length=1)
    model: str | None = None  # else the tier, else the pipeline's model or tier, else the config's
    tier: Tier | None = None
    max_tokens: int | None = Field(default=None, gt=0)
    check: Check | None = None
    retries: int = Field(default=1, ge=0, le=3)  # escalations one tier up after a failed check
    on_fail: str = Field(default="stop", pattern="^(stop|continue)$")  # when the check still fails
    choose: dict[str, str] = {}  # a word in the output -> the step to go to ("end" stops)
    next: str | None = None  # the step after this one ("end" stops); default: the following
    store_as: str | None = Field(default=None, alias="as")  # also known as {steps.<as>} (loops)


class Pipeline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    description: str = ""
    model: str | None = None
    tier: Tier | None = None
    max_tokens: int | None = Field(default=None, gt=0)
    max_steps: int = Field(default=12, ge=1, le=100)  # steps run in all: bounds a loop
    output: str | None = None  # the step (or `as` name) whose output is the run's; default: the last run
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _links(self) -> Pipeline:
        names = _unique([s.name for s in self.steps], "step names")
        known = set(names) | {s.store_as for s in self.steps if s.store_as}
        if self.output is not None and self.output not in known:
            raise ValueError(f"output '{self.output}' is not a step")
        for s in self.steps:
            for target in [s.next, *s.choose.values()]:
                if target is not None and target != END and target not in names:
                    raise ValueError(f"step '{s.name}' goes to unknown step '{target}'")
            for m in PLACEHOLDER.finditer(s.prompt):
                if m.group(2) and m.group(2) not in known:
                    raise ValueError(f"step '{s.name}' uses {{steps.{m.group(2)}}}, which no step produces")
        return self

    def index(self, name: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.name == name)


class SuitePrompt(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    use_case: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    check: Check
    max_tokens: int | None = Field(default=None, gt=0)


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    description: str = ""
    max_tokens: int = Field(default=256, gt=0)
    prompts: list[SuitePrompt] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids(self) -> Suite:
        _unique([p.id for p in self.prompts], "prompt ids")
        return self


def _unique(values: list[str], what: str) -> list[str]:
    if repeated := sorted({v for v in values if values.count(v) > 1}):
        raise ValueError(f"{what} repeat: {', '.join(repeated)}")
    return values


def render(template: str, input_text: str, outputs: dict[str, str], last: str) -> str:
    """The instruction with its placeholders filled (only ours: other braces stay as written);
    outputs go in without the whitespace models leave around them."""
    def fill(m: re.Match) -> str:
        if m.group(1) == "input":
            return input_text
        if m.group(1) == "last":
            return last.strip()
        return outputs.get(m.group(2), "").strip()
    return PLACEHOLDER.sub(fill, template)


def find(kind: str, ref: str, config=None) -> Path:
    """A pipeline or suite file: a path, else NAME.toml in the user's folder, else a shipped example."""
    as_path = Path(ref).expanduser()
    if as_path.suffix == ".toml" or "/" in ref:
        if not as_path.is_file():
            raise UsageError(f"no {kind[:-1]} file at {as_path}")
        return as_path
    folders = paths.flow_dirs(kind, config)
    for folder in folders:
        if (folder / f"{ref}.toml").is_file():
            return folder / f"{ref}.toml"
    known = sorted({p.stem for f in folders if f.is_dir() for p in f.glob("*.toml")})
    raise UsageError(f"no {kind[:-1]} named '{ref}' (known: {', '.join(known) or 'none'}; "
                     f"folders: {', '.join(str(f) for f in folders)})")


def _load(kind: str, ref: str, cls, config=None):
    path = find(kind, ref, config)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        spec = cls.model_validate(data)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise UsageError(f"{path}: {where + ': ' if where else ''}{err['msg']}") from None
    spec.name = spec.name or path.stem
    return spec


def load_pipeline(ref: str, config=None) -> Pipeline:
    return _load("pipelines", ref, Pipeline, config)


def load_suite(ref: str, config=None) -> Suite:
    return _load("suites", ref, Suite, config)


def available(kind: str, config=None) -> list[tuple[str, Path]]:
    """(name, file) of every pipeline or suite found, the user's first (they shadow examples)."""
    seen: dict[str, Path] = {}
    for folder in paths.flow_dirs(kind, config):
        for p in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
            seen.setdefault(p.stem, p)
    return sorted(seen.items())

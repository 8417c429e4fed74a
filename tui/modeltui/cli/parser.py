"""The command line's grammar: every command, its arguments and how each is checked, so that a
bad argument is one line and exit 2 before anything heavy loads."""

from __future__ import annotations

import argparse

from modeltui.vocab.tiers import TIERS


class _Parser(argparse.ArgumentParser):
    """Bad arguments are one line on stderr and exit 2, like every other bad input."""

    def error(self, message: str):
        self.exit(2, f"modeltui: {self.prog.removeprefix('modeltui ')}: {message}\n" if " " in self.prog
                  else f"modeltui: {message}\n")


def _count(low: int):
    """An int argument that must be at least `low` (a negative count means nothing)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} must be at least {low}")
        return value
    return parse


def when(text: str) -> float:
    """An ISO date or date-time argument, read as the parser reads the others (said at once)."""
    from modeltui.vocab.when import parse_when

    try:
        return parse_when(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a number above 0")
    return value


def build() -> argparse.ArgumentParser:
    """Every command and its arguments (standard library only: `--help` stays fast)."""
    from modeltui import __version__

    p = _Parser(prog="modeltui", description="Route each prompt to the cheapest good-enough "
                                "LLM, stream it, and log what it cost. With no command, opens the app.")
    p.add_argument("--version", action="version", version=f"modeltui {__version__}")
    p.add_argument("--config", metavar="PATH", help="config file (default: $MODELTUI_CONFIG or the platform config dir)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser("ask", help="ask one prompt and stream the answer")
    a.add_argument("prompt", help="the prompt ('-' reads standard input)")
    a.add_argument("--tier", choices=TIERS)
    a.add_argument("--model", help="use this model id instead of routing")
    a.add_argument("--use-case", dest="use_case")
    a.add_argument("--complexity", choices=("low", "medium", "high"))
    a.add_argument("--max-tokens", dest="max_tokens", type=_count(1))
    a.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    a.add_argument("--explain", action="store_true", help="print why the model was chosen")

    m = sub.add_parser("models", help="list the catalog with availability and why")
    m.add_argument("--available", action="store_true", help="only models that can be called now")
    m.add_argument("--json", action="store_true")

    lg = sub.add_parser("log", help="recent calls")
    lg.add_argument("-n", type=_count(1), default=20, help="how many (default 20)")
    lg.add_argument("--session")
    lg.add_argument("--search", metavar="WORDS", help="calls whose prompt or answer has these words (full text)")
    lg.add_argument("--json", action="store_true")

    e = sub.add_parser("export", help="export calls to JSONL, CSV or Markdown, or datasets: chat JSONL, preference pairs")
    e.add_argument("--format", choices=("jsonl", "csv", "md", "chat", "preferences"), default="jsonl",
                   help="chat: conversations as OpenAI chat JSONL; preferences: tournament votes as preference pairs")
    e.add_argument("--session", help="one session id ('last' = the most recent)")
    e.add_argument("--since", type=when, help="start date/time, ISO format (local time unless it has an offset)")
    e.add_argument("--until", type=when, help="end date/time (exclusive), ISO format")
    e.add_argument("--no-text", dest="texts", action="store_false", help="drop prompts and responses")
    e.add_argument("-o", "--output", help="file to write ('-' = standard output; default: the exports folder)")
    b = sub.add_parser("budget", help="spend this session, today, this month vs the caps; per-model breakdown")
    b.add_argument("--json", action="store_true")

    es = sub.add_parser("estimate", help="monthly cost of a usage profile in each tier")
    es.add_argument("--calls", required=True, metavar="UC=N,…", help="calls per month per use case, e.g. code=300,writing=100")
    es.add_argument("--tokens-in", dest="tokens_in", type=_count(1), help="typical prompt tokens (default: median of the log)")
    es.add_argument("--tokens-out", dest="tokens_out", type=_count(1), help="typical answer tokens (default: median of the log)")
    es.add_argument("--complexity", choices=("low", "medium", "high"), default="medium")
    es.add_argument("--all-models", dest="all_models", action="store_true", help="plan as if every provider key were set")
    es.add_argument("--json", action="store_true")

    t = sub.add_parser("tournament", help="ask three models at once and say whether they agree")
    t.add_argument("prompt")
    t.add_argument("--models", help="two or three model ids, comma-separated (default: the router's budget, balanced and premium picks)")
    t.add_argument("--json", action="store_true")

    v = sub.add_parser("vote", help="vote on a tournament: A, B, C, tie or all_bad")
    v.add_argument("tournament_id")
    v.add_argument("choice", metavar="CHOICE", help="A, B or C (the winner; any case), tie, or all_bad")

    r = sub.add_parser("rankings", help="models per use case: composite score and Bradley-Terry rating from votes")
    r.add_argument("--use-case", dest="use_case")
    r.add_argument("--rebuild", action="store_true", help="recompute the statistics from the whole log first")
    r.add_argument("--json", action="store_true")

    sv = sub.add_parser("savings", help="spend vs the best-ranked adequate model per use case; inefficiencies")
    sv.add_argument("--days", type=_positive, help="look back this many days (default: this month)")
    sv.add_argument("--json", action="store_true")

    u = sub.add_parser("usecases", help="use cases: keyword rules and those discovered from logged prompts")
    u.add_argument("--discover", action="store_true", help="cluster the logged prompts into --k use cases")
    u.add_argument("--k", type=_count(2), default=8)
    u.add_argument("--add", metavar="NAME", help="declare a use case you will name with --use-case")
    u.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename a discovered use case (and keep it)")
    u.add_argument("--json", action="store_true")

    fb = sub.add_parser("feedback", help="thumbs up or down on a logged answer")
    fb.add_argument("call_id", type=_count(1))
    fb.add_argument("thumb", choices=("up", "down"))

    pr = sub.add_parser("prices", help="where prices come from; --refresh downloads litellm's latest price map")
    pr.add_argument("--refresh", action="store_true")
    pr.add_argument("--url", help="price map URL (default: litellm's published JSON)")

    rn = sub.add_parser("run", help="run a pipeline: steps that each ask their own model, with checks")
    rn.add_argument("pipeline", help="a name (pipelines/NAME.toml beside the config, or a shipped example) or a .toml path")
    rn.add_argument("--input", required=True, help="the input text, or @FILE to read it ('@-' reads standard input)")
    rn.add_argument("--set", action="append", default=[], metavar="STEP.FIELD=VALUE",
                    help="override a step's model, tier or max_tokens (repeatable)")
    rn.add_argument("--ab", nargs=2, metavar=("VARIANT_A", "VARIANT_B"),
                    help="run two variants on the same input, e.g. 'analyse.model=A' 'analyse.model=B', and compare them")
    rn.add_argument("--repeat", type=_count(1), default=1, help="passes per variant (default 1)")
    rn.add_argument("--session", help="log the calls into this session id")
    rn.add_argument("--dry-run", dest="dry_run", action="store_true", help="show each step's model and worst-case cost; call nothing")
    rn.add_argument("--json", action="store_true")

    cp = sub.add_parser("compare", help="two pipeline runs side by side per step: cost, tokens, latency, checks")
    cp.add_argument("run_a", help="a run id (or the start of one)")
    cp.add_argument("run_b")
    cp.add_argument("--json", action="store_true")

    bn = sub.add_parser("bench", help="run a benchmark suite on several models and score every answer")
    bn.add_argument("suite", help="a name (suites/NAME.toml beside the config, or a shipped example) or a .toml path")
    bn.add_argument("--models", required=True, help="model ids, comma-separated")
    bn.add_argument("--repeat", type=_count(1), default=1)
    bn.add_argument("--json", action="store_true")

    rs = sub.add_parser("runs", help="recent pipeline runs and benchmarks, and the pipelines and suites found")
    rs.add_argument("-n", type=_count(1), default=20)
    rs.add_argument("--json", action="store_true")

    sv2 = sub.add_parser("serve", help="an OpenAI-compatible server on loopback: other tools through the same router, budget and log")
    sv2.add_argument("--host", help="address to bind (default: [serve] host, 127.0.0.1); not loopback needs [serve] token_env")
    sv2.add_argument("--port", type=_count(0), help="port (default: [serve] port, 8765; 0 = any free port)")

    im = sub.add_parser("import", help="import calls logged by another tool (a warm start from your own history)")
    im.add_argument("source", choices=("llm-logs",), help="llm-logs: a logs.db of Simon Willison's llm (read-only)")
    im.add_argument("path", help="the file (`llm logs path` prints llm's)")
    im.add_argument("--json", action="store_true")

    x = sub.add_parser("escalate", help="re-ask a logged call one tier up")
    x.add_argument("call_id", type=_count(1))
    x.add_argument("--json", action="store_true")
    from modeltui.cli.team import add_parser as add_team  # (argparse only: the team's code loads when chosen)
    add_team(sub, _positive)
    return p

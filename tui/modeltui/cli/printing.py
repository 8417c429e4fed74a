"""What `tournament` prints, from its summary (a dict): the same whether the tournament ran in
this process or in a running `modeltui serve` (which sends the summary). Light imports only."""

from __future__ import annotations

import json

from modeltui.signals.agreement import judge_line
from modeltui.vocab.words import money


def print_tournament(s: dict, as_json: bool) -> int:
    if as_json:
        print(json.dumps(s, ensure_ascii=False))
    else:
        for e in s["entrants"]:
            sim = " (simulated)" if e.get("simulated") else ""
            head = f"── {e['slot']} · {e['model']}{sim} · {e['status']}"
            if "cost_usd" in e:
                head += f" · {money(e['cost_usd'])} · {e['latency_ms']:.0f} ms"
            print(head)
            print((e.get("text") or e.get("error") or "").rstrip() + "\n")
        a = s["agreement"]
        print(f"verdict: {a['overall']} — {a['reason']}")
        for pair, v in a["pairs"].items():
            print(f"  {pair}: {v['label']} ({v['score']}) {v['reason']}")
        if judged := judge_line(a):
            print(judged)
        print(f"tournament {s['tournament_id']} — vote with: modeltui vote {s['tournament_id']} A|B|C|tie|all_bad")
    ok = [e for e in s["entrants"] if e["status"] == "ok"]
    return 0 if len(ok) >= 2 else 1


def print_trailer_tail(s, args) -> int:
    """What `ask` prints after its header line, in-process or through the server: the attempts
    of a fallback, what it gave up, why the model (--explain), the error; the exit code."""
    import sys

    if len(s.attempt_list) > 1:
        for i, a in enumerate(s.attempt_list, 1):
            print(f"    {i}. {a['model']} · {a['status']}{' (' + a['error_kind'] + ')' if a['error_kind'] else ''} · "
                  f"{a['ms'] / 1000:.1f} s", file=sys.stderr)
    for what in s.gave_up:
        print(f"  gave up: {what}", file=sys.stderr)
    if getattr(args, "explain", False):
        from modeltui.reports import explain_text

        print(explain_text(s.reasons), file=sys.stderr)
    if s.status != "ok":
        print(f"modeltui: {s.error_kind}: {s.error}", file=sys.stderr)
    return 0 if s.status == "ok" else 1

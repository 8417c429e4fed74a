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

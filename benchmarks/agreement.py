"""Agreement flag on real answers: GSM8K problems answered by Mixtral-8x7B and GPT-4-1106
(RouteLLM's gsm8k_dev.csv). Pairs where exactly one model is correct should be flagged
"disagree"; pairs where both are correct should not. Both-wrong pairs are left out (they may
agree or not). Prints precision and recall of the disagree flag and how many were unclear.
Targets: precision >= 0.9, recall >= 0.9.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED_DATA, report  # noqa: E402

WEAK, STRONG = "mistralai/Mixtral-8x7B-Instruct-v0.1", "gpt-4-1106-preview"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default=str(SHARED_DATA / "routellm" / "gsm8k_dev.csv"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    from modeltui.signals.agreement import compare

    path = Path(args.data)
    if not path.exists():
        sys.exit(f"agreement.py: data file not found: {path} (pass --data PATH)")
    tp = fp = fn = tn = unclear = both_wrong = 0
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            wk, st = row[WEAK] == "True", row[STRONG] == "True"
            if not wk and not st:
                both_wrong += 1
                continue
            truth = "disagree" if wk != st else "agree"
            v = compare(row["prompt"], row[WEAK + "_response"], row[STRONG + "_response"])
            if v.label == "unclear":
                unclear += 1
            flagged = v.label == "disagree"
            tp += flagged and truth == "disagree"
            fp += flagged and truth == "agree"
            fn += (not flagged) and truth == "disagree"
            tn += (not flagged) and truth == "agree"
            if args.show_errors and flagged != (truth == "disagree"):
                print(f"--- truth={truth} got={v.label}: {v.reason}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    figures = {"precision": round(precision, 4), "recall": round(recall, 4), "unclear": unclear,
               "pairs": tp + fp + fn + tn, "disagree_pairs": tp + fn, "agree_pairs": fp + tn, "both_wrong_skipped": both_wrong}
    report(f"agreement flag on {path.name}", [
        f"pairs scored: {figures['pairs']} ({figures['disagree_pairs']} exactly-one-correct, {figures['agree_pairs']} both correct; "
        f"{both_wrong} both-wrong skipped)",
        f"precision of 'disagree': {precision:.3f}   (target >= 0.9)",
        f"recall of 'disagree':    {recall:.3f}   (target >= 0.9)",
        f"unclear verdicts:        {unclear}",
    ], figures, args.json)


if __name__ == "__main__":
    main()

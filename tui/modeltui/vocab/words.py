"""How figures and counts are written, once for the app, the CLI and the exports' Markdown."""

from __future__ import annotations


def money(x: float | None) -> str:
    """One format everywhere: six decimals below a dollar (the meter's lines stay aligned, and a
    call's cost is never rounded to zero), cents above; '—' when there is no figure."""
    if x is None:
        return "—"
    return f"${x:.6f}" if abs(x) < 1 else f"${x:,.2f}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 call', '2 calls' ('1 match', '2 matches' with `many`)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


HIT, END = "\x02", "\x03"  # around a matched word in a search snippet (store/calls.py)


def marked(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet as (text, is a matched word) parts."""
    parts, hit = [], False
    for piece in snippet.replace(END, HIT).split(HIT):
        if piece:
            parts.append((piece, hit))
        hit = not hit
    return parts


def snippet_text(snippet: str | None, style: str = "bold reverse"):
    """A search snippet as rich Text, the matched words in `style` (never read as markup)."""
    from rich.text import Text

    out = Text()
    for part, hit in marked(" ".join((snippet or "").split())):
        out.append(part, style=style if hit else "")
    return out

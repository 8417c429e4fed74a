"""Tables as the CLI prints them: fitted to the terminal, cells as text (never markup)."""

from __future__ import annotations


def _table(title: str, columns: list[str], rows: list[list], drop: tuple[str, ...] = ()) -> None:
    """Print a table that fits the terminal (80 columns when it is not one): the columns in
    `drop` go first, in that order, until the rest fits; the caption says which were left out.
    Cells are text, never markup (a `[word]` in a prompt is shown as it is)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    cells = [[v if isinstance(v, Text) else Text("" if v is None else str(v)) for v in r] for r in rows]
    keep = list(range(len(columns)))

    def width(i: int) -> int:
        longest = max([len(columns[i]), *(len(r[i].plain) for r in cells)], default=0)
        return min(longest, 24)  # a long cell wraps rather than widening the table past this

    hidden = []
    for name in drop:
        if sum(width(i) for i in keep) + 3 * len(keep) + 1 <= console.width:
            break
        if name in columns and (i := columns.index(name)) in keep:
            keep.remove(i)
            hidden.append(name)
    t = Table(title=title, show_lines=False,
              caption=f"left out at this width: {', '.join(hidden)} (--json has every field)" if hidden else None)
    for i in keep:
        t.add_column(columns[i], overflow="fold")
    for r in cells:
        t.add_row(*(r[i] for i in keep))
    console.print(t)
